-- The poetry site of the seed article: poets upload poems, readers comment.
DROP DATABASE IF EXISTS poetry;
CREATE DATABASE poetry CHARACTER SET utf8mb4;
USE poetry;
CREATE TABLE poets (
  id INT AUTO_INCREMENT PRIMARY KEY,
  handle VARCHAR(40) NOT NULL UNIQUE,
  name VARCHAR(100) CHARACTER SET utf8mb4 NOT NULL
) ENGINE=InnoDB;
CREATE TABLE poems (
  id INT AUTO_INCREMENT PRIMARY KEY,
  poet_id INT NOT NULL,
  slug VARCHAR(80) NOT NULL UNIQUE,
  title VARCHAR(200) CHARACTER SET utf8mb4 NOT NULL,
  body TEXT CHARACTER SET utf8mb4 NOT NULL,
  likes INT NOT NULL DEFAULT 0
) ENGINE=InnoDB;
-- Written years ago, before anyone thought of emoji.
CREATE TABLE comments (
  id INT AUTO_INCREMENT PRIMARY KEY,
  poem_id INT NOT NULL,
  body VARCHAR(500) CHARACTER SET utf8mb3 NOT NULL
) ENGINE=InnoDB;
CREATE TABLE stats (
  poet_id INT PRIMARY KEY,
  poems INT NOT NULL DEFAULT 0
) ENGINE=InnoDB;
INSERT INTO poets (handle, name) VALUES ('ann', 'Ann Example'), ('bo', 'Bo Sample');
INSERT INTO stats VALUES (1, 0), (2, 0);
