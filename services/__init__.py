"""Rules that span documents and screens: scope, database connection, lifecycle."""
