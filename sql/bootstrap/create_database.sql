-- Creates the riskmap database in a new embedded cluster.
CREATE DATABASE riskmap;
