-- The RDS stand-in, the local warehouse (Redshift stand-in) and the logical-replication replica.
CREATE DATABASE source;
CREATE DATABASE warehouse;
CREATE DATABASE replica;
