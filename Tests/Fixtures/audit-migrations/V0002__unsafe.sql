SET lock_timeout = '2s';
CREATE INDEX existing_a ON existing (a);
ALTER TABLE existing ADD COLUMN b int NOT NULL;
ALTER TABLE existing ADD CONSTRAINT fk FOREIGN KEY (a) REFERENCES other (id);
ALTER TABLE existing ALTER COLUMN a TYPE bigint;
ALTER TABLE existing ADD COLUMN c uuid DEFAULT gen_random_uuid();
ALTER TABLE existing DROP COLUMN d;
ALTER TABLE existing DISABLE ROW LEVEL SECURITY;
CREATE TABLE a_table_name_that_goes_on_and_on_well_past_the_sixty_three_byte_limit (id int);
-- tenantwall:allow TW501 reason: existing is empty in every environment
CREATE INDEX existing_b ON existing (b);
-- tenantwall:allow TW507
DROP TABLE old_stuff;
