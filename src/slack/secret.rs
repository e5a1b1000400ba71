//! Redacting wrappers for secrets: bot and app tokens, socket ticket URLs and `response_url`s.
//!
//! None of these types implements `Display`, and their `Debug` output never shows the secret,
//! so formatting one into a log line or an error is harmless. The raw text is only reachable
//! inside `slack/` through `expose`.

use std::fmt;

/// A token that does not have the expected shape.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    /// A bot token must start with `xoxb-` (or `xoxp-` for a user token).
    #[error("the bot token must start with `xoxb-` or `xoxp-`")]
    NotABotToken,
    /// An app-level token must start with `xapp-`.
    #[error("the app-level token must start with `xapp-`")]
    NotAnAppToken,
}

/// A bot (`xoxb-…`) or user (`xoxp-…`) token used for Web API calls.
#[derive(Clone, PartialEq, Eq)]
pub struct BotToken(String);

impl BotToken {
    pub fn new(token: impl Into<String>) -> Result<BotToken, TokenError> {
        let token = token.into();
        let token = token.trim().to_string();
        if (token.starts_with("xoxb-") || token.starts_with("xoxp-")) && token.len() > 5 {
            Ok(BotToken(token))
        } else {
            Err(TokenError::NotABotToken)
        }
    }

    pub(crate) fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for BotToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("BotToken(<redacted>)")
    }
}

/// An app-level token (`xapp-…`) used only to open Socket Mode connections.
#[derive(Clone, PartialEq, Eq)]
pub struct AppToken(String);

impl AppToken {
    pub fn new(token: impl Into<String>) -> Result<AppToken, TokenError> {
        let token = token.into();
        let token = token.trim().to_string();
        if token.starts_with("xapp-") && token.len() > 5 {
            Ok(AppToken(token))
        } else {
            Err(TokenError::NotAnAppToken)
        }
    }

    pub(crate) fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for AppToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("AppToken(<redacted>)")
    }
}

/// A one-time Socket Mode ticket URL (`wss://…/link/?ticket=…`).
#[derive(Clone, PartialEq, Eq)]
pub struct SocketUrl(String);

impl SocketUrl {
    pub(crate) fn new(url: String) -> SocketUrl {
        SocketUrl(url)
    }

    pub(crate) fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for SocketUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SocketUrl(<redacted>)")
    }
}

/// The `response_url` of a slash command or interaction: anyone holding it can post as the app.
#[derive(Clone, PartialEq, Eq)]
pub struct ResponseUrl(String);

impl ResponseUrl {
    pub fn new(url: impl Into<String>) -> ResponseUrl {
        ResponseUrl(url.into())
    }

    pub(crate) fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for ResponseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ResponseUrl(<redacted>)")
    }
}

/// Replaces every occurrence of `secret` in `text`, for error texts from libraries that may
/// echo a URL back.
pub(crate) fn redact(text: &str, secret: &str) -> String {
    if secret.is_empty() {
        text.to_string()
    } else {
        text.replace(secret, "<redacted>")
    }
}
