//! Socket Mode frames: decoding `hello`, `disconnect` and envelopes, and encoding acks.
//!
//! Decoding never fails loudly: a frame that is not what Slack sends becomes a
//! [`FrameError`] whose text describes the problem without echoing the frame (which may hold a
//! `response_url`).

use std::fmt;

use serde_json::{Value, json};

use super::secret::ResponseUrl;

/// Why Slack asked the client to let a socket go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DisconnectReason {
    /// The socket will be refreshed in about ten seconds.
    Warning,
    /// The socket is being refreshed now.
    RefreshRequested,
    /// Socket Mode was switched off for the app: back off for long.
    LinkDisabled,
    /// A reason this client does not know.
    Other(String),
}

impl DisconnectReason {
    fn parse(text: &str) -> DisconnectReason {
        match text {
            "warning" => DisconnectReason::Warning,
            "refresh_requested" => DisconnectReason::RefreshRequested,
            "link_disabled" => DisconnectReason::LinkDisabled,
            other => DisconnectReason::Other(other.to_string()),
        }
    }

    /// A bounded label for metrics: the wire name, or `other`.
    pub fn metric_label(&self) -> &'static str {
        match self {
            DisconnectReason::Warning => "warning",
            DisconnectReason::RefreshRequested => "refresh_requested",
            DisconnectReason::LinkDisabled => "link_disabled",
            DisconnectReason::Other(_) => "other",
        }
    }

    /// The wire name of the reason.
    pub fn as_str(&self) -> &str {
        match self {
            DisconnectReason::Warning => "warning",
            DisconnectReason::RefreshRequested => "refresh_requested",
            DisconnectReason::LinkDisabled => "link_disabled",
            DisconnectReason::Other(other) => other,
        }
    }
}

/// The kind of an envelope.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EnvelopeKind {
    /// An Events API `event_callback` (mentions, App Home opened, …).
    EventsApi,
    /// A slash command.
    SlashCommands,
    /// A block action, view submission, block suggestion, shortcut, …
    Interactive,
    /// A type this client does not know.
    Other(String),
}

impl EnvelopeKind {
    fn parse(text: &str) -> EnvelopeKind {
        match text {
            "events_api" => EnvelopeKind::EventsApi,
            "slash_commands" => EnvelopeKind::SlashCommands,
            "interactive" => EnvelopeKind::Interactive,
            other => EnvelopeKind::Other(other.to_string()),
        }
    }

    /// A bounded label for metrics: the wire name, or `other`.
    pub fn metric_label(&self) -> &'static str {
        match self {
            EnvelopeKind::EventsApi => "events_api",
            EnvelopeKind::SlashCommands => "slash_commands",
            EnvelopeKind::Interactive => "interactive",
            EnvelopeKind::Other(_) => "other",
        }
    }

    /// Whether the ack waits for the handler (up to the ack budget). Events are acked on
    /// arrival: Slack redelivers an unacked event and the dedup table absorbs the repeat. A
    /// command or an interaction is never redelivered, so its ack waits until the handler has
    /// committed what it asked for.
    pub fn acked_after_handling(&self) -> bool {
        !matches!(self, EnvelopeKind::EventsApi)
    }

    /// The wire name of the kind.
    pub fn as_str(&self) -> &str {
        match self {
            EnvelopeKind::EventsApi => "events_api",
            EnvelopeKind::SlashCommands => "slash_commands",
            EnvelopeKind::Interactive => "interactive",
            EnvelopeKind::Other(other) => other,
        }
    }
}

/// One delivery from Slack that must be acked.
///
/// `Debug` leaves the payload out: it may hold a `response_url`.
#[derive(Clone, PartialEq)]
pub struct Envelope {
    pub envelope_id: String,
    pub kind: EnvelopeKind,
    /// Whether the ack may carry a reply (slash commands, view submissions, menu options).
    pub accepts_response_payload: bool,
    /// 0 for the first delivery, then 1, 2, 3 for redeliveries.
    pub retry_attempt: u32,
    pub retry_reason: Option<String>,
    /// What Slack would POST to a request URL.
    pub payload: Value,
}

impl Envelope {
    /// The `event_id` of an Events API envelope, the key for deduplication.
    pub fn event_id(&self) -> Option<&str> {
        if self.kind != EnvelopeKind::EventsApi {
            return None;
        }
        self.payload.get("event_id").and_then(Value::as_str)
    }

    /// The inner event's type (`app_mention`, `app_home_opened`, …) of an Events API envelope.
    pub fn event_type(&self) -> Option<&str> {
        self.payload.get("event")?.get("type")?.as_str()
    }

    /// The interaction type (`block_actions`, `view_submission`, `block_suggestion`, …).
    pub fn interaction_type(&self) -> Option<&str> {
        if self.kind != EnvelopeKind::Interactive {
            return None;
        }
        self.payload.get("type").and_then(Value::as_str)
    }

    /// The slash command this envelope carries, if it is one.
    pub fn slash_command(&self) -> Option<SlashCommand> {
        if self.kind != EnvelopeKind::SlashCommands {
            return None;
        }
        let field = |name: &str| {
            self.payload
                .get(name)
                .and_then(Value::as_str)
                .map(str::to_string)
        };
        Some(SlashCommand {
            command: field("command")?,
            text: field("text").unwrap_or_default(),
            user_id: field("user_id")?,
            channel_id: field("channel_id")?,
            trigger_id: field("trigger_id"),
            response_url: field("response_url").map(ResponseUrl::new),
        })
    }

    /// The `response_url` of a slash command or interaction.
    pub fn response_url(&self) -> Option<ResponseUrl> {
        self.payload
            .get("response_url")
            .and_then(Value::as_str)
            .map(ResponseUrl::new)
    }
}

impl fmt::Debug for Envelope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Envelope")
            .field("envelope_id", &self.envelope_id)
            .field("kind", &self.kind)
            .field("accepts_response_payload", &self.accepts_response_payload)
            .field("retry_attempt", &self.retry_attempt)
            .field("retry_reason", &self.retry_reason)
            .field("event_id", &self.payload.get("event_id"))
            .field("payload", &"<redacted>")
            .finish()
    }
}

/// The fields of a slash command that the bot uses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SlashCommand {
    /// The command with its slash, such as `/triage`.
    pub command: String,
    /// Everything after the command; mentions arrive escaped as `<@U123|name>`.
    pub text: String,
    pub user_id: String,
    pub channel_id: String,
    pub trigger_id: Option<String>,
    pub response_url: Option<ResponseUrl>,
}

/// A decoded Socket Mode frame.
#[derive(Debug, Clone, PartialEq)]
pub enum Frame {
    Hello,
    Disconnect(DisconnectReason),
    Envelope(Envelope),
    /// A frame with a `type` this client does not handle.
    Unknown(String),
}

/// A frame that is not what Slack sends. The text never includes the frame itself.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FrameError {
    /// The frame is not a JSON object.
    #[error("frame is not a json object")]
    NotJson,
    /// The object has no string `type`.
    #[error("frame has no type")]
    MissingType,
    /// An envelope type without an `envelope_id`.
    #[error("{kind} envelope has no envelope_id")]
    MissingEnvelopeId { kind: String },
}

pub fn decode_frame(text: &str) -> Result<Frame, FrameError> {
    let value: Value = serde_json::from_str(text).map_err(|_| FrameError::NotJson)?;
    let Value::Object(mut object) = value else {
        return Err(FrameError::NotJson);
    };
    let kind = object
        .get("type")
        .and_then(Value::as_str)
        .ok_or(FrameError::MissingType)?
        .to_string();
    match kind.as_str() {
        "hello" => return Ok(Frame::Hello),
        "disconnect" => {
            let reason = object.get("reason").and_then(Value::as_str).unwrap_or("");
            return Ok(Frame::Disconnect(DisconnectReason::parse(reason)));
        }
        _ => {}
    }
    let Some(envelope_id) = object.get("envelope_id").and_then(Value::as_str) else {
        let envelope_kind = matches!(
            kind.as_str(),
            "events_api" | "slash_commands" | "interactive"
        );
        if envelope_kind || object.contains_key("payload") {
            return Err(FrameError::MissingEnvelopeId { kind });
        }
        return Ok(Frame::Unknown(kind));
    };
    let envelope_id = envelope_id.to_string();
    let flag = |name: &str| object.get(name).and_then(Value::as_bool).unwrap_or(false);
    let accepts_response_payload = flag("accepts_response_payload");
    let retry_attempt = object
        .get("retry_attempt")
        .and_then(Value::as_u64)
        .unwrap_or(0) as u32;
    let retry_reason = object
        .get("retry_reason")
        .and_then(Value::as_str)
        .filter(|reason| !reason.is_empty())
        .map(str::to_string);
    let payload = object.remove("payload").unwrap_or(Value::Null);
    Ok(Frame::Envelope(Envelope {
        envelope_id,
        kind: EnvelopeKind::parse(&kind),
        accepts_response_payload,
        retry_attempt,
        retry_reason,
        payload,
    }))
}

/// The ack frame for an envelope; a payload that is not an object is left out, and a payload's
/// text loses its bidirectional controls.
pub fn encode_ack(envelope_id: &str, payload: Option<Value>) -> String {
    match payload.filter(Value::is_object) {
        Some(mut payload) => {
            super::text::remove_bidi_in(&mut payload);
            json!({ "envelope_id": envelope_id, "payload": payload }).to_string()
        }
        None => json!({ "envelope_id": envelope_id }).to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[track_caller]
    fn check(frame: &str, expected: Result<&str, FrameError>) {
        let actual = decode_frame(frame).map(|frame| match frame {
            Frame::Hello => "hello".to_string(),
            Frame::Disconnect(reason) => format!("disconnect {}", reason.as_str()),
            Frame::Envelope(envelope) => format!(
                "{} {} retry={} accepts={} event_id={:?}",
                envelope.kind.as_str(),
                envelope.envelope_id,
                envelope.retry_attempt,
                envelope.accepts_response_payload,
                envelope.event_id(),
            ),
            Frame::Unknown(kind) => format!("unknown {kind}"),
        });
        assert_eq!(actual, expected.map(str::to_string));
    }

    #[test]
    fn decodes_hello_and_disconnects() {
        check(r#"{"type":"hello","num_connections":1}"#, Ok("hello"));
        check(
            r#"{"type":"disconnect","reason":"warning"}"#,
            Ok("disconnect warning"),
        );
        check(
            r#"{"type":"disconnect","reason":"refresh_requested"}"#,
            Ok("disconnect refresh_requested"),
        );
        check(
            r#"{"type":"disconnect","reason":"link_disabled"}"#,
            Ok("disconnect link_disabled"),
        );
    }

    #[test]
    fn decodes_envelopes() {
        check(
            r#"{"type":"events_api","envelope_id":"e1","retry_attempt":1,"payload":{"event_id":"Ev1"}}"#,
            Ok(r#"events_api e1 retry=1 accepts=false event_id=Some("Ev1")"#),
        );
        check(
            r#"{"type":"slash_commands","envelope_id":"e2","accepts_response_payload":true,"payload":{}}"#,
            Ok("slash_commands e2 retry=0 accepts=true event_id=None"),
        );
    }

    #[test]
    fn rejects_malformed_frames() {
        check("not json", Err(FrameError::NotJson));
        check("[1,2]", Err(FrameError::NotJson));
        check(r#"{"envelope_id":"e1"}"#, Err(FrameError::MissingType));
        check(
            r#"{"type":"events_api","payload":{}}"#,
            Err(FrameError::MissingEnvelopeId {
                kind: "events_api".to_string(),
            }),
        );
        check(r#"{"type":"something_new"}"#, Ok("unknown something_new"));
    }

    #[test]
    fn ack_carries_only_object_payloads() {
        assert_eq!(encode_ack("e1", None), r#"{"envelope_id":"e1"}"#);
        assert_eq!(
            encode_ack("e1", Some(json!("text"))),
            r#"{"envelope_id":"e1"}"#
        );
        assert_eq!(
            encode_ack("e1", Some(json!({"text": "hi"}))),
            r#"{"envelope_id":"e1","payload":{"text":"hi"}}"#
        );
    }
}
