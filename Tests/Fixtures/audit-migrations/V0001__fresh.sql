CREATE TABLE fresh (id int, a int);
CREATE INDEX fresh_a ON fresh (a);
