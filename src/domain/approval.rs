//! Who approves a cover once the person named to cover has accepted it: a discipline's
//! approval policy.
//!
//! Pure: the caller says whether the cover would give the person double or back-to-back duty.

use std::fmt;
use std::str::FromStr;

/// A discipline's approval policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Approval {
    /// An admin approves every cover (the default).
    #[default]
    Admin,
    /// The replacement's acceptance is enough.
    None,
    /// An admin approves only a cover that gives the replacement double duty (another
    /// discipline in the same sprint) or back-to-back duty (any discipline in the sprint before
    /// or after).
    AdminIfConflict,
}

impl Approval {
    pub const ALL: [Approval; 3] = [Approval::Admin, Approval::None, Approval::AdminIfConflict];

    pub fn as_str(self) -> &'static str {
        match self {
            Approval::Admin => "admin",
            Approval::None => "none",
            Approval::AdminIfConflict => "admin-if-conflict",
        }
    }

    /// Whether an admin must approve a cover, `conflict` saying whether it gives the person
    /// double or back-to-back duty.
    pub fn needs_admin(self, conflict: bool) -> bool {
        match self {
            Approval::Admin => true,
            Approval::None => false,
            Approval::AdminIfConflict => conflict,
        }
    }

    /// What the policy means, for people.
    pub fn describe(self) -> &'static str {
        match self {
            Approval::Admin => "an admin approves every cover",
            Approval::None => "the replacement's acceptance is enough",
            Approval::AdminIfConflict => {
                "an admin approves a cover only when it gives the replacement double or back-to-back duty"
            }
        }
    }
}

impl fmt::Display for Approval {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Text that names no approval policy.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not an approval policy (expected admin, none or admin-if-conflict)")]
pub struct UnknownApproval(pub String);

impl FromStr for Approval {
    type Err = UnknownApproval;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let wanted = s.trim().to_ascii_lowercase();
        Approval::ALL
            .into_iter()
            .find(|policy| policy.as_str() == wanted)
            .ok_or_else(|| UnknownApproval(s.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn policies_read_back_and_decide_who_approves() {
        for policy in Approval::ALL {
            assert_eq!(policy.as_str().parse::<Approval>(), Ok(policy));
        }
        assert_eq!("None".parse::<Approval>(), Ok(Approval::None));
        assert_eq!(
            "nobody".parse::<Approval>().unwrap_err().to_string(),
            "`nobody` is not an approval policy (expected admin, none or admin-if-conflict)"
        );
        let needs = |policy: Approval| [policy.needs_admin(false), policy.needs_admin(true)];
        assert_eq!(needs(Approval::Admin), [true, true]);
        assert_eq!(needs(Approval::None), [false, false]);
        assert_eq!(needs(Approval::AdminIfConflict), [false, true]);
    }
}
