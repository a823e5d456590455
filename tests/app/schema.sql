-- The poetry site's schema and its first rows (tests/app/README.md). Few
-- rows on purpose: eight workers share them, so their requests collide.
-- No foreign keys: they would take locks on parent rows that no statement
-- names, which is not what these tests are about.
DROP DATABASE IF EXISTS poetry;
CREATE DATABASE poetry DEFAULT CHARACTER SET utf8mb4;
USE poetry;

CREATE TABLE users (
  id INT AUTO_INCREMENT PRIMARY KEY,
  email VARCHAR(190) NOT NULL UNIQUE,
  name VARCHAR(64) NOT NULL
) ENGINE=InnoDB;

CREATE TABLE poets (
  id INT PRIMARY KEY,
  user_id INT NOT NULL,
  handle VARCHAR(64) NOT NULL UNIQUE,
  bio VARCHAR(255) NOT NULL,
  edits INT NOT NULL            -- bio edits, computed by the application
) ENGINE=InnoDB;

CREATE TABLE poems (
  id INT AUTO_INCREMENT PRIMARY KEY,
  poet_id INT NOT NULL,
  slug VARCHAR(190) NOT NULL UNIQUE,
  title VARCHAR(190) NOT NULL,
  body TEXT NOT NULL,
  likes INT NOT NULL DEFAULT 0,
  featured INT NOT NULL DEFAULT 0,
  version INT NOT NULL DEFAULT 1,  -- optimistic locking of edits
  KEY (poet_id)
) ENGINE=InnoDB;

CREATE TABLE tags (
  id INT AUTO_INCREMENT PRIMARY KEY,
  name VARCHAR(64) NOT NULL UNIQUE
) ENGINE=InnoDB;

CREATE TABLE poem_tags (
  poem_id INT NOT NULL,
  tag_id INT NOT NULL,
  PRIMARY KEY (poem_id, tag_id),
  KEY (tag_id)
) ENGINE=InnoDB;

CREATE TABLE likes (
  user_id INT NOT NULL,
  poem_id INT NOT NULL,
  PRIMARY KEY (user_id, poem_id),
  KEY (poem_id)
) ENGINE=InnoDB;

CREATE TABLE accounts (
  user_id INT PRIMARY KEY,
  credits INT NOT NULL
) ENGINE=InnoDB;

-- Per-poet counters, kept by the endpoints that change what they count.
CREATE TABLE stats (
  poet_id INT PRIMARY KEY,
  poems INT NOT NULL,
  likes INT NOT NULL,
  featured INT NOT NULL
) ENGINE=InnoDB;

-- Users 1-4 are readers, 5-7 the poets' own accounts.
INSERT INTO users (id, email, name) VALUES
  (1, 'reader-1@example.com', 'Reader 1'), (2, 'reader-2@example.com', 'Reader 2'),
  (3, 'reader-3@example.com', 'Reader 3'), (4, 'reader-4@example.com', 'Reader 4'),
  (5, 'ann@example.com', 'Ann'), (6, 'basho@example.com', 'Basho'), (7, 'celan@example.com', 'Celan');
INSERT INTO poets VALUES (1, 5, 'ann', '', 0), (2, 6, 'basho', '', 0), (3, 7, 'celan', '', 0);
-- Poem i belongs to poet (i - 1) % 3 + 1.
INSERT INTO poems (id, poet_id, slug, title, body) VALUES
  (1, 1, 'seed-1', 'Seed 1', 'first light'), (2, 2, 'seed-2', 'Seed 2', 'an old silent pond'),
  (3, 3, 'seed-3', 'Seed 3', 'black milk'), (4, 1, 'seed-4', 'Seed 4', 'second light'),
  (5, 2, 'seed-5', 'Seed 5', 'a frog jumps in'), (6, 3, 'seed-6', 'Seed 6', 'of daybreak');
INSERT INTO tags (id, name) VALUES (1, 'haiku'), (2, 'sonnet');
INSERT INTO accounts VALUES (1, 10000), (2, 10000), (3, 10000), (4, 10000), (5, 10000), (6, 10000), (7, 10000);
INSERT INTO stats VALUES (1, 2, 0, 0), (2, 2, 0, 0), (3, 2, 0, 0);
