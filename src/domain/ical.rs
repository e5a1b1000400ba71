//! iCalendar (RFC 5545) text for a calendar feed: a `VCALENDAR` of all-day `VEVENT`s.
//!
//! Written by hand rather than with the `icalendar` crate, which would bring chrono in beside
//! jiff for the few properties a feed needs. It does what RFC 5545 asks of them: CRLF line
//! endings, lines folded at 75 octets (never inside a UTF-8 character), TEXT values escaped
//! (`\\`, `;`, `,`, line breaks), dates as `VALUE=DATE` with an exclusive `DTEND`, `DTSTAMP` in
//! UTC. Every event is marked free (`TRANSP:TRANSPARENT`, and Outlook's
//! `X-MICROSOFT-CDO-BUSYSTATUS:FREE`) so duty does not block anyone's calendar. Pure: the
//! instant it stamps comes in as a parameter.

use jiff::Timestamp;
use jiff::civil::Date;

/// The longest line, in octets, before it is folded (RFC 5545 §3.1), CRLF not counted.
const MAX_LINE_OCTETS: usize = 75;

/// The product identifier every feed carries.
pub const PRODID: &str = "-//triage-bot//Triage rotation calendar//EN";

/// One all-day event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    /// Stable across fetches, so calendars update the event instead of adding another.
    pub uid: String,
    pub summary: String,
    pub description: Option<String>,
    /// The first day.
    pub first_day: Date,
    /// The day after the last day (`DTEND` is exclusive).
    pub end_day: Date,
}

/// The whole feed: a calendar named `name` holding `events`, stamped at `stamp`.
pub fn render(name: &str, events: &[Event], stamp: Timestamp) -> String {
    let mut out = String::new();
    let mut line = |text: &str| push_folded(&mut out, text);
    line("BEGIN:VCALENDAR");
    line("VERSION:2.0");
    line(&format!("PRODID:{PRODID}"));
    line("CALSCALE:GREGORIAN");
    line("METHOD:PUBLISH");
    line(&format!("X-WR-CALNAME:{}", escape_text(name)));
    line("REFRESH-INTERVAL;VALUE=DURATION:PT1H");
    line("X-PUBLISHED-TTL:PT1H");
    let stamp = utc_stamp(stamp);
    for event in events {
        line("BEGIN:VEVENT");
        line(&format!("UID:{}", escape_text(&event.uid)));
        line(&format!("DTSTAMP:{stamp}"));
        line(&format!(
            "DTSTART;VALUE=DATE:{}",
            date_value(event.first_day)
        ));
        line(&format!("DTEND;VALUE=DATE:{}", date_value(event.end_day)));
        line(&format!("SUMMARY:{}", escape_text(&event.summary)));
        if let Some(description) = &event.description {
            line(&format!("DESCRIPTION:{}", escape_text(description)));
        }
        line("TRANSP:TRANSPARENT");
        line("X-MICROSOFT-CDO-BUSYSTATUS:FREE");
        line("END:VEVENT");
    }
    line("END:VCALENDAR");
    out
}

/// A TEXT value escaped (RFC 5545 §3.3.11): backslash, semicolon, comma and line breaks; other
/// control characters, which TEXT may not hold, are dropped.
pub fn escape_text(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => escaped.push_str("\\\\"),
            ';' => escaped.push_str("\\;"),
            ',' => escaped.push_str("\\,"),
            '\r' if chars.peek() == Some(&'\n') => {}
            '\n' | '\r' => escaped.push_str("\\n"),
            c if c.is_control() => {}
            c => escaped.push(c),
        }
    }
    escaped
}

/// Appends `line` with CRLF, folded into lines of at most 75 octets: each continuation starts
/// with one space, and no UTF-8 character is split.
fn push_folded(out: &mut String, line: &str) {
    let mut rest = line;
    let mut limit = MAX_LINE_OCTETS;
    loop {
        if rest.len() <= limit {
            out.push_str(rest);
            out.push_str("\r\n");
            return;
        }
        let mut cut = limit;
        while !rest.is_char_boundary(cut) {
            cut -= 1;
        }
        out.push_str(&rest[..cut]);
        out.push_str("\r\n ");
        rest = &rest[cut..];
        // The leading space counts toward the next line's 75 octets.
        limit = MAX_LINE_OCTETS - 1;
    }
}

/// `YYYYMMDD`.
fn date_value(date: Date) -> String {
    date.strftime("%Y%m%d").to_string()
}

/// `YYYYMMDDTHHMMSSZ`.
fn utc_stamp(instant: Timestamp) -> String {
    instant.strftime("%Y%m%dT%H%M%SZ").to_string()
}

#[cfg(test)]
mod tests {
    use expect_test::{Expect, expect};
    use jiff::civil::date;

    use super::*;

    fn stamp() -> Timestamp {
        "2026-03-10T19:00:00Z".parse().unwrap()
    }

    /// The feed with CRLF shown as `⏎` at each line's end.
    #[track_caller]
    fn check(name: &str, events: &[Event], expected: Expect) {
        let text = render(name, events, stamp());
        assert!(text.ends_with("\r\n"));
        assert!(!text.replace("\r\n", "").contains('\n'), "a bare LF");
        for line in text.split("\r\n") {
            assert!(line.len() <= MAX_LINE_OCTETS, "{line:?} is too long");
        }
        expected.assert_eq(&text.replace("\r\n", "⏎\n"));
    }

    fn event(summary: &str, description: Option<&str>) -> Event {
        Event {
            uid: "sprint-25-ui-U0ALICE@triage-bot".into(),
            summary: summary.into(),
            description: description.map(String::from),
            first_day: date(2026, 3, 9),
            end_day: date(2026, 3, 23),
        }
    }

    #[test]
    fn an_empty_calendar_has_its_header() {
        check(
            "Triage: Alice",
            &[],
            expect![[r#"
                BEGIN:VCALENDAR⏎
                VERSION:2.0⏎
                PRODID:-//triage-bot//Triage rotation calendar//EN⏎
                CALSCALE:GREGORIAN⏎
                METHOD:PUBLISH⏎
                X-WR-CALNAME:Triage: Alice⏎
                REFRESH-INTERVAL;VALUE=DURATION:PT1H⏎
                X-PUBLISHED-TTL:PT1H⏎
                END:VCALENDAR⏎
            "#]],
        );
    }

    #[test]
    fn an_all_day_event_marked_free() {
        check(
            "Triage",
            &[event(
                "Triage: UI Engineering — Sprint 26",
                Some("covering for Bob"),
            )],
            expect![[r#"
                BEGIN:VCALENDAR⏎
                VERSION:2.0⏎
                PRODID:-//triage-bot//Triage rotation calendar//EN⏎
                CALSCALE:GREGORIAN⏎
                METHOD:PUBLISH⏎
                X-WR-CALNAME:Triage⏎
                REFRESH-INTERVAL;VALUE=DURATION:PT1H⏎
                X-PUBLISHED-TTL:PT1H⏎
                BEGIN:VEVENT⏎
                UID:sprint-25-ui-U0ALICE@triage-bot⏎
                DTSTAMP:20260310T190000Z⏎
                DTSTART;VALUE=DATE:20260309⏎
                DTEND;VALUE=DATE:20260323⏎
                SUMMARY:Triage: UI Engineering — Sprint 26⏎
                DESCRIPTION:covering for Bob⏎
                TRANSP:TRANSPARENT⏎
                X-MICROSOFT-CDO-BUSYSTATUS:FREE⏎
                END:VEVENT⏎
                END:VCALENDAR⏎
            "#]],
        );
    }

    #[test]
    fn text_is_escaped() {
        let check = |text: &str, expected: Expect| expected.assert_eq(&escape_text(text));
        check("a, b; c", expect![[r#"a\, b\; c"#]]);
        check(r"back\slash", expect![[r#"back\\slash"#]]);
        check(
            "two\nlines\r\nand\rmore",
            expect![[r#"two\nlines\nand\nmore"#]],
        );
        check("tab\there\u{7}", expect!["tabhere"]);
        check("Zoë — Ünïcode", expect!["Zoë — Ünïcode"]);
    }

    #[test]
    fn long_lines_fold_between_characters() {
        // 2-octet characters from octet 20 on: a fold at octet 75 would split one.
        let name = format!("Triage {}, {}", "Ñú".repeat(30), "Zoë".repeat(10));
        check(
            &name,
            &[],
            expect![[r#"
                BEGIN:VCALENDAR⏎
                VERSION:2.0⏎
                PRODID:-//triage-bot//Triage rotation calendar//EN⏎
                CALSCALE:GREGORIAN⏎
                METHOD:PUBLISH⏎
                X-WR-CALNAME:Triage ÑúÑúÑúÑúÑúÑúÑúÑúÑúÑúÑúÑúÑúÑ⏎
                 úÑúÑúÑúÑúÑúÑúÑúÑúÑúÑúÑúÑúÑúÑúÑúÑú\, ZoëZ⏎
                 oëZoëZoëZoëZoëZoëZoëZoëZoë⏎
                REFRESH-INTERVAL;VALUE=DURATION:PT1H⏎
                X-PUBLISHED-TTL:PT1H⏎
                END:VCALENDAR⏎
            "#]],
        );
        // Unfolding (dropping each CRLF and the space after it) gives the line back.
        let text = render(&name, &[], stamp());
        assert!(text.replace("\r\n ", "").contains(&escape_text(&name)));
    }

    #[test]
    fn a_line_of_multibyte_characters_folds_at_character_boundaries() {
        let summary = "😀".repeat(40);
        let text = render("T", &[event(&summary, None)], stamp());
        let lines: Vec<&str> = text.split("\r\n").filter(|l| l.contains('😀')).collect();
        assert_eq!(lines.len(), 3);
        for line in &lines {
            assert!(line.len() <= MAX_LINE_OCTETS);
        }
        let unfolded = text.replace("\r\n ", "");
        assert!(unfolded.contains(&format!("SUMMARY:{summary}\r\n")));
    }
}
