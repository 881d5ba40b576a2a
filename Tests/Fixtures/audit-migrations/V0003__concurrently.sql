CREATE INDEX CONCURRENTLY existing_c ON existing (c);
