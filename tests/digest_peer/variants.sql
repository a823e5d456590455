-- variants.sql: a curated part of the workload of compare.sh. The suites,
-- the demo and sysbench spell each statement one way; applications do not.
-- Each block below is one code path spelled the ways real clients spell it
-- (values, list lengths, NULL, comments, white space, case, quoting), or
-- statements that only look alike. Both tools should group each block's
-- statements the same way. Statements end with ";" at the end of a line;
-- comment lines before a statement are not sent (workload.pl sql).
CREATE TABLE v (id INT PRIMARY KEY, name VARCHAR(20), n INT, b VARBINARY(8), created DATETIME) ENGINE=InnoDB;
CREATE PROCEDURE p(i INT) SELECT name FROM v WHERE id = i;

-- Values, quoting and signs.
SELECT name FROM v WHERE id = 1;
SELECT name FROM v WHERE id = 22;
SELECT name FROM v WHERE id = -3;
SELECT name FROM v WHERE id = 1.5e3;
SELECT id FROM v WHERE name = 'a';
SELECT id FROM v WHERE name = "b";
SELECT id FROM v WHERE name = 'it\'s';
SELECT id FROM v WHERE name = 'it''s';
SELECT id FROM v WHERE name = 'semi;colon -- not a comment';
SELECT id FROM v WHERE b = X'0A';
SELECT id FROM v WHERE b = 0x0B;
SELECT id FROM v WHERE b = B'1';
SELECT id FROM v WHERE name = _utf8mb4'c';
SELECT id FROM v WHERE name = N'd';

-- NULL where a client library interpolates a parameter (None, nil, null).
UPDATE v SET name = 'f' WHERE id = 6;
UPDATE v SET name = NULL WHERE id = 6;
SELECT id FROM v WHERE name <=> 'g';
SELECT id FROM v WHERE name <=> NULL;
-- ... and where NULL is not a value: these stay apart.
SELECT id FROM v WHERE name IS NULL;
SELECT id FROM v WHERE name IS NOT NULL;

-- Lists of every length.
SELECT name FROM v WHERE id IN (1);
SELECT name FROM v WHERE id IN (1, 2, 3);
SELECT name FROM v WHERE id IN (4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20);
SELECT name FROM v WHERE id IN (1, NULL);
DELETE FROM v WHERE id IN ('a', 'b') LIMIT 10;
DELETE FROM v WHERE id IN ('c') LIMIT 3;

-- Batches of rows: literal rows, and rows with an expression.
INSERT INTO v (id, name) VALUES (1, 'a');
INSERT INTO v (id, name) VALUES (2, 'b'), (3, 'c');
INSERT INTO v (id, name) VALUES (4, NULL),(5,'e'),(6, 'f');
INSERT INTO v (id, name, created) VALUES (7, 'g', NOW());
INSERT INTO v (id, name, created) VALUES (8, 'h', NOW()), (9, 'i', NOW());
INSERT INTO v (id, name, created) VALUES (10, 'j', NOW()), (11, 'k', NOW()), (12, NULL, NOW());
INSERT INTO v (id, name) VALUES (13, 'l') ON DUPLICATE KEY UPDATE name = VALUES(name);
INSERT INTO v (id, name) VALUES (14, 'm'), (15, 'n') ON DUPLICATE KEY UPDATE name = VALUES(name);
REPLACE INTO v (id, n) VALUES (16, 1);
REPLACE INTO v (id, n) VALUES (17, 2), (18, 3);

-- Comments, white space, case, backticks.
SELECT /* controller=poems action=show request=17 */ name FROM v WHERE id = 1;
SELECT name FROM v WHERE id = 2 -- retry 2
;
SELECT name
  FROM v
 WHERE id = 3;
select NAME from v where ID=4;
SELECT `name` FROM `v` WHERE `id` = 5;
UPDATE v SET n = n + 1 WHERE id = 1;
UPDATE v SET n=n+1 WHERE id=2;
UPDATE v SET n = n - 1 WHERE id = 3;
UPDATE v SET n = n-1 WHERE id = 4;

-- Executable comments: the server runs their content.
SELECT SQL_NO_CACHE name FROM v WHERE id = 1;
SELECT /*!40001 SQL_NO_CACHE */ name FROM v WHERE id = 2;
SELECT /*!40001 SQL_NO_CACHE */ name FROM v WHERE id = 3;

-- Pages.
SELECT name FROM v ORDER BY id LIMIT 10;
SELECT name FROM v ORDER BY id LIMIT 20;
SELECT name FROM v ORDER BY id LIMIT 10, 10;
SELECT name FROM v ORDER BY id LIMIT 10 OFFSET 20;
SELECT name FROM v ORDER BY id ASC LIMIT 5;

-- Look alike, are not alike.
SELECT name FROM v WHERE id = 1 FOR UPDATE;
SELECT name FROM v WHERE id = 1 LOCK IN SHARE MODE;
SELECT name FROM test.v WHERE id = 1;
SELECT name FROM v WHERE n = 1;
SELECT name FROM v WHERE id = n;
SELECT COUNT(*) FROM v WHERE created > NOW() - INTERVAL 1 DAY;
SELECT COUNT(*) FROM v WHERE created > NOW() - INTERVAL 7 DAY;
SELECT COUNT(*) FROM v WHERE created > NOW() - INTERVAL 1 HOUR;

-- Procedures and databases.
CALL p(1);
CALL p(2);
SET @i = 3;
CALL p(@i);
USE test;
USE sbtest;
USE test;

-- Unions of one select.
SELECT name FROM v WHERE id = 1 UNION ALL SELECT name FROM v WHERE id = 2;
SELECT name FROM v WHERE id = 1 UNION ALL SELECT name FROM v WHERE id = 2 UNION ALL SELECT name FROM v WHERE id = 3;

DROP PROCEDURE p;
DROP TABLE v;
