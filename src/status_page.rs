//! The status page (`/` on `TRIAGE_HTTP_ADDR`): who is on duty now and until when, the next
//! sprint's team, the coming sprints with covers and absences marked, fairness per person, and
//! the bot's own health. Server-rendered HTML without JavaScript, readable on a phone, light or
//! dark as the reader's system prefers, refreshing itself once a minute. It shows names, never
//! reasons, requests or tokens.
//!
//! [`load`] reads everything from one store (recording started sprints first, as `who` does);
//! [`render`] is a pure function of what was loaded. Reads no clock: `now` is a parameter.

use std::fmt::Write as _;

use jiff::Timestamp;

use crate::dates::SlackDates;
use crate::domain::stats::{Fairness, Scope};
use crate::domain::{Assignment, Conflict, SlackUserId, Source, Team};
use crate::duty::{self, DutyAt, FlaggedDuty, Roster, SprintDuty};
use crate::store::{Result, Store};

/// How many sprints the table shows.
const SPRINTS: usize = 8;
/// The actor recorded for turns recorded on the way.
const ACTOR: &str = "rotation";

/// The bot's own health, as the HTTP server knows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Health {
    /// Socket Mode connections ready.
    pub sockets: i64,
    /// Messages waiting in the outbox.
    pub waiting: i64,
    /// When the last handoff message was delivered.
    pub last_handoff: Option<Timestamp>,
}

/// What the page shows, loaded at one moment.
pub struct Loaded {
    pub now: Timestamp,
    pub answer: DutyAt,
    pub coming: Vec<FlaggedDuty>,
    pub fairness: Fairness,
    pub roster: Roster,
    pub health: Health,
}

/// Loads the page's facts at `now` (recording started sprints first).
pub fn load(store: &Store, team: &Team, sockets: i64, now: Timestamp) -> Result<Loaded> {
    let (answer, roster) = duty::duty_and_roster_at(store, team, now, now, ACTOR)?;
    let coming = duty::flagged_schedule(store, team, now, SPRINTS + 1, now, ACTOR)?;
    let (fairness, _) = crate::stats::fairness(store, team, &Scope::default(), now)?;
    let waiting = store.outbox_stats(now)?.pending;
    let last_handoff = store.last_sent("handoff:")?;
    Ok(Loaded {
        now,
        answer,
        coming,
        fairness,
        roster,
        health: Health {
            sockets,
            waiting,
            last_handoff,
        },
    })
}

/// The page as HTML.
pub fn render(page: &Loaded, team: &Team) -> String {
    let dates = SlackDates::new(team, page.now);
    let mut html = String::from(HEAD);
    let _ = write!(
        html,
        "<h1>Triage duty</h1><p class=\"muted\">As of {}</p>",
        escape(&dates.instant(page.now))
    );
    now_section(&mut html, page, &dates);
    coming_section(&mut html, page, &dates);
    fairness_section(&mut html, page);
    health_section(&mut html, page, &dates);
    html.push_str("</main></body></html>\n");
    html
}

fn now_section(html: &mut String, page: &Loaded, dates: &SlackDates) {
    html.push_str("<section><h2>On duty now</h2>");
    match &page.answer {
        DutyAt::InForce { duty, until } => {
            let _ = write!(
                html,
                "<p>{}, until {}</p>",
                escape(&duty.sprint.name),
                escape(&dates.instant(*until))
            );
            team_list(html, duty, &page.roster);
        }
        DutyAt::BeforeFirst { first, starts_at } => {
            let _ = write!(
                html,
                "<p>Nobody yet: the first sprint, {}, starts {}.</p>",
                escape(&first.name),
                escape(&dates.instant(*starts_at))
            );
        }
        DutyAt::Gap {
            next, starts_at, ..
        } => {
            let _ = write!(
                html,
                "<p>Nobody: no sprint is in force until {} starts {}.</p>",
                escape(&next.name),
                escape(&dates.instant(*starts_at))
            );
        }
        DutyAt::AfterLast { .. } | DutyAt::NoSprints => {
            html.push_str("<p>Nobody: no sprint is planned.</p>");
        }
    }
    let in_force = match &page.answer {
        DutyAt::InForce { duty, .. } => Some(duty.sprint.index),
        _ => None,
    };
    if let Some(next) = page
        .coming
        .iter()
        .find(|d| Some(d.duty.sprint.index) != in_force)
    {
        let sprint = &next.duty.sprint;
        let _ = write!(
            html,
            "<h2>Next: {}</h2><p>{}</p>",
            escape(&sprint.name),
            escape(&dates.span(sprint.start, sprint.end))
        );
        team_list(html, &next.duty, &page.roster);
    }
    html.push_str("</section>");
}

fn team_list(html: &mut String, duty: &SprintDuty, roster: &Roster) {
    html.push_str("<ul class=\"team\">");
    for a in &duty.assignments {
        let _ = write!(
            html,
            "<li><span class=\"discipline\">{}</span> {}</li>",
            escape(&discipline_name(roster, a)),
            cell(roster, duty, a, None)
        );
    }
    html.push_str("</ul>");
}

fn coming_section(html: &mut String, page: &Loaded, dates: &SlackDates) {
    html.push_str("<section><h2>The coming sprints</h2>");
    if page.coming.is_empty() {
        html.push_str("<p>No sprints are planned.</p></section>");
        return;
    }
    html.push_str(
        "<div class=\"scroll\"><table class=\"cards\"><thead><tr><th>Sprint</th><th>Days</th>",
    );
    for discipline in &page.roster.disciplines {
        let _ = write!(html, "<th>{}</th>", escape(&discipline.name));
    }
    html.push_str("</tr></thead><tbody>");
    for flagged in page.coming.iter().take(SPRINTS) {
        let sprint = &flagged.duty.sprint;
        let _ = write!(
            html,
            "<tr><td data-label=\"Sprint\">{}</td><td data-label=\"Days\">{}</td>",
            escape(&sprint.name),
            escape(&dates.span(sprint.start, sprint.end))
        );
        for (a, conflict) in flagged.duty.assignments.iter().zip(&flagged.conflicts) {
            let label = page
                .roster
                .discipline(&a.discipline)
                .map_or_else(|| a.discipline.to_string(), |d| d.name.clone());
            let _ = write!(
                html,
                "<td data-label=\"{}\">{}</td>",
                escape(&label),
                cell(&page.roster, &flagged.duty, a, *conflict)
            );
        }
        html.push_str("</tr>");
    }
    html.push_str(
        "</tbody></table></div><p class=\"muted\">covering: someone covers the rotation's \
         pick; away: the person is away during some of the sprint.</p></section>",
    );
}

/// A person on duty, with what is special about it, as HTML.
fn cell(roster: &Roster, duty: &SprintDuty, a: &Assignment, conflict: Option<Conflict>) -> String {
    let mut notes: Vec<&str> = Vec::new();
    match a.source {
        Source::Override => notes.push("covering"),
        Source::Fallback => notes.push("fallback"),
        _ => {}
    }
    if a.slack_id.as_ref().is_some_and(|id| duty.is_away(id)) {
        notes.push("away");
    }
    notes.extend(conflict.map(Conflict::as_str));
    let name = escape(&person_name(roster, a.slack_id.as_ref()));
    if notes.is_empty() {
        return name;
    }
    let notes: Vec<String> = notes
        .iter()
        .map(|note| format!("<span class=\"tag\">{note}</span>"))
        .collect();
    format!("{name} {}", notes.join(" "))
}

fn fairness_section(html: &mut String, page: &Loaded) {
    html.push_str("<section><h2>Fairness</h2>");
    if page.fairness.people.is_empty() {
        html.push_str("<p>No sprint has started yet.</p></section>");
        return;
    }
    html.push_str(
        "<div class=\"scroll\"><table class=\"cards\"><thead><tr><th>Person</th><th>Discipline</th>\
         <th class=\"n\">Sprints served</th><th class=\"n\">Covers given</th><th class=\"n\">Covers received</th>\
         <th class=\"n\">Passed over</th><th class=\"n\">Owed</th></tr></thead><tbody>",
    );
    for person in &page.fairness.people {
        let name = person
            .name
            .clone()
            .unwrap_or_else(|| person.person.to_string());
        let discipline = page
            .roster
            .discipline(&person.discipline)
            .map_or(person.discipline.to_string(), |d| d.name.clone());
        let _ = write!(
            html,
            "<tr><td data-label=\"Person\">{}</td><td data-label=\"Discipline\">{}</td>\
             <td class=\"n\" data-label=\"Sprints served\">{}</td>\
             <td class=\"n\" data-label=\"Covers given\">{}</td>\
             <td class=\"n\" data-label=\"Covers received\">{}</td>\
             <td class=\"n\" data-label=\"Passed over\">{}</td>\
             <td class=\"n\" data-label=\"Owed\">{}</td></tr>",
            escape(&name),
            escape(&discipline),
            person.served,
            person.covers_given,
            person.covers_received,
            person.passed_over,
            person.owed
        );
    }
    let _ = write!(
        html,
        "</tbody></table></div><p class=\"muted\">Median sprints served: {}.</p></section>",
        page.fairness.median_served
    );
}

fn health_section(html: &mut String, page: &Loaded, dates: &SlackDates) {
    let health = &page.health;
    let connected = if health.sockets > 0 {
        "<span class=\"ok\">connected</span>".to_string()
    } else {
        "<span class=\"bad\">not connected</span>".to_string()
    };
    let last = health
        .last_handoff
        .map_or("none yet".to_string(), |at| escape(&dates.instant(at)));
    let _ = write!(
        html,
        "<section><h2>The bot</h2><ul><li>Slack: {connected}</li>\
         <li>Messages waiting to be sent: {}</li><li>Last handoff message delivered: {last}</li>\
         </ul></section>",
        health.waiting
    );
}

fn discipline_name(roster: &Roster, a: &Assignment) -> String {
    roster
        .discipline(&a.discipline)
        .map_or(a.discipline.to_string(), |d| d.name.clone())
}

fn person_name(roster: &Roster, person: Option<&SlackUserId>) -> String {
    match person {
        None => "nobody".to_string(),
        Some(id) => roster.name_of(id).unwrap_or(id.as_str()).to_string(),
    }
}

/// Text made safe for HTML.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// The document's head and styles: system fonts, a light and a dark scheme, tables that become
/// one card per row on a narrow screen (each cell labelled by its column), a refresh every 60
/// seconds.
const HEAD: &str = r#"<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="refresh" content="60">
<meta name="color-scheme" content="light dark">
<title>Triage duty</title>
<style>
:root { --bg: #ffffff; --fg: #1d1d1f; --muted: #5f6368; --line: #d9d9de; --tag: #eef1f6; --ok: #137333; --bad: #b3261e; }
@media (prefers-color-scheme: dark) {
  :root { --bg: #15171a; --fg: #e8eaed; --muted: #9aa0a6; --line: #3c4043; --tag: #2a2f36; --ok: #81c995; --bad: #f28b82; }
}
body { margin: 0; background: var(--bg); color: var(--fg); font: 16px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
main { max-width: 80rem; margin: 0 auto; padding: 1rem; }
h1 { font-size: 1.5rem; margin: 0.5rem 0 0; }
h2 { font-size: 1.15rem; margin: 1.5rem 0 0.5rem; }
.muted { color: var(--muted); font-size: 0.9rem; }
ul.team { list-style: none; padding: 0; }
ul.team li { padding: 0.25rem 0; border-bottom: 1px solid var(--line); }
.discipline { display: inline-block; min-width: 11rem; color: var(--muted); }
.scroll { overflow-x: auto; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: 0.35rem 0.5rem; border-bottom: 1px solid var(--line); white-space: nowrap; }
.n { text-align: right; }
.tag { display: inline-block; font-size: 0.75rem; padding: 0 0.35rem; border-radius: 0.5rem; background: var(--tag); color: var(--muted); }
.ok { color: var(--ok); } .bad { color: var(--bad); }
@media (max-width: 52rem) {
  table.cards thead { display: none; }
  table.cards tr { display: block; padding: 0.4rem 0; border-bottom: 1px solid var(--line); }
  table.cards td { display: flex; justify-content: space-between; gap: 1rem; padding: 0.1rem 0; border: 0; white-space: normal; text-align: right; }
  table.cards td::before { content: attr(data-label); color: var(--muted); text-align: left; }
  table.cards td:first-child { font-weight: 600; }
}
</style></head><body><main>
"#;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_escaped_for_html() {
        assert_eq!(
            escape(r#"<b>Ana & "Bo"'s</b>"#),
            "&lt;b&gt;Ana &amp; &quot;Bo&quot;&#39;s&lt;/b&gt;"
        );
    }
}
