-- Every MariaDB column type in one table (mysql_stream.sh, replicate_mysql_types.sh).
CREATE TABLE t_types (
  id INT UNSIGNED NOT NULL PRIMARY KEY,
  ti TINYINT, tu TINYINT UNSIGNED, si SMALLINT UNSIGNED, mi MEDIUMINT, ii INT, bi BIGINT UNSIGNED, bs BIGINT,
  f FLOAT, d DOUBLE, dec1 DECIMAL(10,2), dec2 DECIMAL(65,30),
  c CHAR(10), cu CHAR(10) CHARACTER SET utf8mb4, vc VARCHAR(300) CHARACTER SET utf8mb4, vb VARBINARY(20),
  bn BINARY(4), tx TEXT CHARACTER SET utf8mb4, bl BLOB, lb LONGBLOB,
  e ENUM('red','green','blue'), s SET('a','b','c','d'), bt BIT(12), b64 BIT(64), bo TINYINT(1),
  y YEAR, dt DATE, tm TIME(3), tm6 TIME(6), dtm DATETIME(6), dt0 DATETIME, ts TIMESTAMP(2) NULL DEFAULT NULL,
  j JSON, g POINT, gg GEOMETRY, u UUID, i6 INET6, i4 INET4
) DEFAULT CHARSET=latin1;
