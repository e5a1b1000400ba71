//! Socket Mode tests.
