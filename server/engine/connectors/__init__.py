"""Runner sources and sinks: FakeSource, Console, Assert, LocalFile and Jdbc on SQLite."""
