//! Client-side pacing of Web API calls so that bursts stay under Slack's rate limits.
//!
//! Each method belongs to one of Slack's rate-limit tiers and is spaced at least that tier's
//! interval apart; `chat.postMessage` is spaced per channel instead (about one message a
//! second per channel). Pacing only delays calls; it never fails one.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

use tokio::time::Instant;

/// Minimum spacing between calls, per rate-limit tier. Tests shrink these to zero.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pacing {
    /// Spacing of `chat.postMessage` calls to the same channel.
    pub post_message_per_channel: Duration,
    /// Spacing of Tier 2 methods (about 20 a minute): `usergroups.list`, `usergroups.users.update`.
    pub tier2: Duration,
    /// Spacing of Tier 3 methods (about 50 a minute): `conversations.open`, `chat.update`, …
    pub tier3: Duration,
    /// Spacing of Tier 4 methods (about 100 a minute): `users.info`, `views.*`, …
    pub tier4: Duration,
}

impl Pacing {
    /// Spacing that keeps a single app under Slack's published limits.
    pub const fn slack_defaults() -> Pacing {
        Pacing {
            post_message_per_channel: Duration::from_secs(1),
            tier2: Duration::from_secs(3),
            tier3: Duration::from_millis(1200),
            tier4: Duration::from_millis(600),
        }
    }

    /// No pacing at all.
    pub const fn none() -> Pacing {
        Pacing::uniform(Duration::ZERO)
    }

    /// The same spacing for every method and channel.
    pub const fn uniform(spacing: Duration) -> Pacing {
        Pacing {
            post_message_per_channel: spacing,
            tier2: spacing,
            tier3: spacing,
            tier4: spacing,
        }
    }

    /// The spacing and the pacing key of one call (`channel` matters only for posting).
    fn spacing_for(&self, method: &str, channel: Option<&str>) -> (Duration, String) {
        let spacing = match method {
            "chat.postMessage" => {
                let key = format!("{method}:{}", channel.unwrap_or(""));
                return (self.post_message_per_channel, key);
            }
            "usergroups.list" | "usergroups.users.update" => self.tier2,
            "conversations.open" | "conversations.setTopic" | "chat.update" | "auth.test" => {
                self.tier3
            }
            "apps.connections.open" => Duration::ZERO,
            _ => self.tier4,
        };
        (spacing, method.to_string())
    }
}

impl Default for Pacing {
    fn default() -> Self {
        Pacing::slack_defaults()
    }
}

/// Hands out call slots: each key's next slot is at least its spacing after the previous one.
#[derive(Debug)]
pub(crate) struct Pacer {
    pacing: Pacing,
    next_slot: Mutex<HashMap<String, Instant>>,
}

impl Pacer {
    pub(crate) fn new(pacing: Pacing) -> Pacer {
        Pacer {
            pacing,
            next_slot: Mutex::new(HashMap::new()),
        }
    }

    /// Waits until the call may go out.
    pub(crate) async fn wait_turn(&self, method: &str, channel: Option<&str>) {
        let (spacing, key) = self.pacing.spacing_for(method, channel);
        if spacing.is_zero() {
            return;
        }
        let slot = self.reserve(key, spacing);
        tokio::time::sleep_until(slot).await;
    }

    fn reserve(&self, key: String, spacing: Duration) -> Instant {
        let now = Instant::now();
        let mut next_slot = self.next_slot.lock().unwrap_or_else(|e| e.into_inner());
        if next_slot.len() > 1024 {
            next_slot.retain(|_, at| *at > now);
        }
        let slot = next_slot.get(&key).copied().unwrap_or(now).max(now);
        next_slot.insert(key, slot + spacing);
        slot
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn posts_to_one_channel_are_spaced_and_other_channels_are_not() {
        let pacer = Pacer::new(Pacing::slack_defaults());
        let start = Instant::now();
        pacer.wait_turn("chat.postMessage", Some("C1")).await;
        pacer.wait_turn("chat.postMessage", Some("C2")).await;
        assert_eq!(start.elapsed(), Duration::ZERO);
        pacer.wait_turn("chat.postMessage", Some("C1")).await;
        pacer.wait_turn("chat.postMessage", Some("C1")).await;
        assert_eq!(start.elapsed(), Duration::from_secs(2));
    }

    #[tokio::test(start_paused = true)]
    async fn tiers_space_methods_independently() {
        let pacer = Pacer::new(Pacing::slack_defaults());
        let start = Instant::now();
        pacer.wait_turn("usergroups.users.update", None).await;
        pacer.wait_turn("users.info", None).await;
        pacer.wait_turn("users.info", None).await;
        assert_eq!(start.elapsed(), Duration::from_millis(600));
        pacer.wait_turn("usergroups.users.update", None).await;
        assert_eq!(start.elapsed(), Duration::from_secs(3));
    }

    #[tokio::test(start_paused = true)]
    async fn no_pacing_never_waits() {
        let pacer = Pacer::new(Pacing::none());
        let start = Instant::now();
        for _ in 0..10 {
            pacer.wait_turn("chat.postMessage", Some("C1")).await;
        }
        assert_eq!(start.elapsed(), Duration::ZERO);
    }
}
