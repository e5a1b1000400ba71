//! Text from people on its way to Slack. Every name and reason the bot shows goes through one
//! of these functions, and every payload the bot sends goes through [`remove_bidi_in`] last.
//!
//! Bidirectional controls (U+202E and its kin, as `domain::text` lists them) are removed, never
//! replaced: a name or reason could otherwise make a message (an admin's request card, say) read
//! in another order than it is written. Names are escaped for mrkdwn (`&`, `<`, `>`), so nothing
//! in them becomes a mention or a link; reasons keep the person, channel and link mentions that
//! Slack writes into slash-command text, and nothing else. This module decides nothing.

use serde_json::Value;

use crate::domain::SlackUserId;
use crate::domain::text::is_bidi_control;

/// `text` without bidirectional controls.
pub fn without_bidi(text: &str) -> String {
    text.chars().filter(|c| !is_bidi_control(*c)).collect()
}

/// A name (or any plain text) for a mrkdwn field: `&`, `<` and `>` escaped, bidirectional
/// controls removed.
pub fn escape(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            c if is_bidi_control(c) => {}
            c => escaped.push(c),
        }
    }
    escaped
}

/// A name for a `plain_text` field, a select option or the channel topic, which Slack does not
/// read as mrkdwn: bidirectional controls removed.
pub fn plain(text: &str) -> String {
    without_bidi(text)
}

/// A reason for a mrkdwn field. Person and channel mentions (`<@U…>`, `<@U…|name>`, `<#C…>`)
/// and web links (`<https://…|label>`) are kept as Slack wrote them; every other `&`, `<` and
/// `>` is escaped (so `<!channel>` notifies nobody), and bidirectional controls are removed.
pub fn reason(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(open) = rest.find('<') {
        out.push_str(&escape(&rest[..open]));
        let after = &rest[open + 1..];
        let close = after
            .find('>')
            .filter(|&close| !after[..close].contains('<'));
        match close.filter(|&close| is_kept_reference(&after[..close])) {
            Some(close) => {
                out.push('<');
                out.push_str(&without_bidi(&after[..close]));
                out.push('>');
                rest = &after[close + 1..];
            }
            None => {
                out.push_str("&lt;");
                rest = after;
            }
        }
    }
    out.push_str(&escape(rest));
    out
}

/// Whether the inside of `<…>` is a person or channel mention or a web link.
fn is_kept_reference(inner: &str) -> bool {
    let target = inner.split('|').next().unwrap_or(inner);
    if let Some(person) = target.strip_prefix('@') {
        return SlackUserId::parse(person).is_ok() && person == person.trim();
    }
    if let Some(channel) = target.strip_prefix('#') {
        return channel.starts_with(['C', 'G'])
            && channel.len() > 1
            && channel
                .chars()
                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit());
    }
    (target.starts_with("https://") || target.starts_with("http://"))
        && !target.contains(char::is_whitespace)
}

/// Removes bidirectional controls from every string in an outgoing payload: the last step
/// before a message, a view, a topic or an ack leaves for Slack, so no path can post one.
pub fn remove_bidi_in(value: &mut Value) {
    match value {
        Value::String(text) if text.chars().any(is_bidi_control) => *text = without_bidi(text),
        Value::Array(items) => items.iter_mut().for_each(remove_bidi_in),
        Value::Object(fields) => fields.values_mut().for_each(remove_bidi_in),
        _ => {}
    }
}

/// A mrkdwn sentence of the bot's own for a `plain_text` place (a modal's input error): each
/// person mention becomes `@` and the name `name_of` gives (the id when it gives none), bold
/// marks go, and `&amp;`, `&lt;`, `&gt;` read as the characters they stand for.
pub fn mrkdwn_as_plain(text: &str, name_of: impl Fn(&SlackUserId) -> Option<String>) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(open) = rest.find("<@") {
        out.push_str(&rest[..open]);
        let after = &rest[open + 2..];
        let Some(close) = after.find('>') else {
            out.push_str("<@");
            rest = after;
            continue;
        };
        let id = after[..close].split('|').next().unwrap_or_default();
        match SlackUserId::parse(id) {
            Ok(user) => {
                out.push('@');
                out.push_str(&name_of(&user).unwrap_or_else(|| id.to_string()));
            }
            Err(_) => out.push_str(&rest[open..open + 2 + close + 1]),
        }
        rest = &after[close + 1..];
    }
    out.push_str(rest);
    out.replace('*', "")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::domain::text::tests::BIDI_CONTROLS;

    #[test]
    fn every_bidi_control_is_removed() {
        for c in BIDI_CONTROLS {
            let text = format!("Ana{c} & <Bo>{c}");
            assert_eq!(without_bidi(&text), "Ana & <Bo>", "{c:?}");
            assert_eq!(plain(&text), "Ana & <Bo>", "{c:?}");
            assert_eq!(escape(&text), "Ana &amp; &lt;Bo&gt;", "{c:?}");
            assert_eq!(reason(&text), "Ana &amp; &lt;Bo&gt;", "{c:?}");
            let mut payload = json!({ "blocks": [{ "text": { "text": text } }], "n": 1 });
            remove_bidi_in(&mut payload);
            assert_eq!(
                payload,
                json!({ "blocks": [{ "text": { "text": "Ana & <Bo>" } }], "n": 1 }),
                "{c:?}"
            );
        }
    }

    #[test]
    fn other_text_is_left_alone() {
        let text = "Zoë · عربى · עברית · 日本 · 👩‍💻\n\tok";
        assert_eq!(escape(text), text);
        assert_eq!(reason(text), text);
        assert_eq!(plain(text), text);
    }

    #[track_caller]
    fn check_reason(text: &str, expected: &str) {
        assert_eq!(reason(text), expected, "{text:?}");
    }

    #[test]
    fn reasons_keep_mentions_and_links_and_escape_the_rest() {
        check_reason("<@U0BOB|bob> is out", "<@U0BOB|bob> is out");
        check_reason(
            "ask <@U0BOB>, see <#C0TRIAGE>",
            "ask <@U0BOB>, see <#C0TRIAGE>",
        );
        check_reason(
            "see <https://x.test/a?b=1|the ticket> & more",
            "see <https://x.test/a?b=1|the ticket> &amp; more",
        );
        check_reason("<!channel> wake up", "&lt;!channel&gt; wake up");
        check_reason("<!subteam^S1> help", "&lt;!subteam^S1&gt; help");
        check_reason("a < b > c", "a &lt; b &gt; c");
        check_reason("<<@U0BOB>>", "&lt;<@U0BOB>&gt;");
        check_reason("<@u0bob> <@U0BOB", "&lt;@u0bob&gt; &lt;@U0BOB");
        check_reason("<javascript:x|click>", "&lt;javascript:x|click&gt;");
        check_reason(
            "<@U0BOB|\u{202E}bob> <https://x.test|\u{202E}label>",
            "<@U0BOB|bob> <https://x.test|label>",
        );
    }

    #[test]
    fn a_sentence_for_a_plain_text_place_names_people_and_loses_markup() {
        let name_of = |user: &SlackUserId| (user.as_str() == "U0ANA").then(|| "Ana".to_string());
        assert_eq!(
            mrkdwn_as_plain(
                "<@U0ANA> is already on duty for *R&amp;D* in *Sprint 4*; ask <@U0BOB|bob>",
                name_of
            ),
            "@Ana is already on duty for R&D in Sprint 4; ask @U0BOB"
        );
        assert_eq!(mrkdwn_as_plain("a <@ b", name_of), "a <@ b");
    }
}
