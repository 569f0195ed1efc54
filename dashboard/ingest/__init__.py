"""Getting a user's file in: sniff (encoding, delimiter, header, time column), reader
(parsing and cleaning into a ParsedTable), both free of Dash and Flask; uploads (the POST
/upload route and turning a parsed upload into a trainable Dataset)."""
