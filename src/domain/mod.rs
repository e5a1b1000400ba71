//! The pure core: rotation, sprint lookup, override rules and what should be announced.
//!
//! Everything here is plain functions over plain data. The domain reads no clock (`now` is a
//! parameter), does no I/O, and knows nothing of SQLite or Slack JSON.

pub mod announce;
pub mod approval;
pub mod away;
pub mod cadence;
pub mod calendar;
pub mod conflict;
pub mod day_ref;
pub mod ical;
pub mod ids;
pub mod impact;
pub mod model;
pub mod note;
pub mod overrides;
pub mod paging;
pub mod plan;
pub mod request;
pub mod roster_change;
pub mod rotation;
pub mod sprint;
pub mod sprint_ref;
pub mod stats;
pub mod text;
pub mod workdays;

pub use approval::Approval;
pub use conflict::{Clash, Conflict, DoubleDuty, Neighbour};
pub use ids::{DisciplineKey, IdError, SlackUserId, SprintIndex};
pub use model::{
    Assignment, AuditEntry, Discipline, Member, Override, OverrideStatus, Skip, SkipKind, Source,
    Sprint, Team, Turn, UnknownStatus,
};
pub use overrides::{CoverageError, CoverageRequest, SlotFacts, validate_coverage_request};
pub use rotation::{
    anchor_before, avoiding_picks, avoiding_picks_noted, avoiding_picks_with_changes,
    base_assignment, base_assignment_from_turns, double_duty, on_duty, plan_turns, rotation_pick,
};
pub use sprint::{
    DayRange, SprintLookup, handoff_instant, next_change, sprint_ends_at, sprint_has_ended,
    sprint_has_started, sprint_in_force, sprint_starts_at, uncovered_days,
};
pub use text::{NameError, NameKind, check_name, clean_reason};
pub use workdays::{HeadsUpSchedule, ReminderLead, Weekdays, WorkCalendar, WorkdaysError};
