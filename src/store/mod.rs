//! All SQL lives here: the pooled SQLite store, its migrations and its typed errors.
