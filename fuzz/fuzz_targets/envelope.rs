//! The Socket Mode frame decoder, the interaction payload decoders, and the accessors the bot calls on a decoded envelope, must
//! never panic on any text Slack (or anyone on the path) could send.
#![no_main]

use libfuzzer_sys::fuzz_target;
use triage_bot::slack::envelope::{Frame, decode_frame};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(Frame::Envelope(envelope)) = decode_frame(text) {
        let _ = envelope.event_id();
        let _ = envelope.event_type();
        let _ = envelope.interaction_type();
        let _ = envelope.slash_command();
        let _ = envelope.response_url();
        // The interaction payload decoders.
        let _ = envelope.block_action();
        let _ = envelope.view_submission();
        let _ = envelope.block_suggestion();
        let _ = envelope.app_mention();
        let _ = envelope.app_home_opened();
        let _ = triage_bot::slack::envelope::encode_ack(
            &envelope.envelope_id,
            Some(envelope.payload.clone()),
        );
    }
});
