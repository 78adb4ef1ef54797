-- 0017: search by name, address and credit code (统一社会信用代码).
-- pg_trgm would be the usual tool, but it keeps only the characters the
-- database's locale calls letters, and the embedded cluster runs in the C
-- locale, where no Chinese character is one: 丽源竹木 has no trigrams
-- there. So the index is of character bigrams, which suit Chinese names
-- (two characters are a word more often than not): every object keeps the
-- bigrams of its name and address, normalised (lower case, no spaces or
-- punctuation), in a GIN index; a query finds the objects holding all of
-- its bigrams, and, failing enough, those holding most of them.

-- The text a search compares: lower case, without spaces and punctuation
-- (ASCII and full-width).
CREATE FUNCTION riskmap_search_norm(s text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT AS $$
    SELECT lower(regexp_replace(s, '[[:space:][:punct:]（）【】《》〈〉「」『』“”‘’·•、，。：；！？—…－～　]', '', 'g'))
$$;

-- The character bigrams of a text, normalised ('{}' for fewer than two
-- characters).
CREATE FUNCTION riskmap_grams(s text) RETURNS text[]
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
DECLARE
    x   text := coalesce(riskmap_search_norm(s), '');
    out text[] := '{}';
BEGIN
    FOR i IN 1 .. length(x) - 1 LOOP
        out := out || substr(x, i, 2);
    END LOOP;
    RETURN out;
END $$;

ALTER TABLE risk_object ADD COLUMN search_grams text[]
    GENERATED ALWAYS AS (riskmap_grams(name || ' ' || coalesce(attributes->>'address', ''))) STORED;
CREATE INDEX risk_object_search_idx ON risk_object USING gin (search_grams) WHERE retired_at IS NULL;
-- Credit codes and the source's ids, by prefix: a range in the C
-- collation (byte order), which a prepared statement's generic plan
-- still reads from the index, as it would not a LIKE 'prefix%'.
CREATE INDEX risk_object_uscc_idx ON risk_object ((upper(attributes->>'uscc') COLLATE "C")) WHERE retired_at IS NULL;
CREATE INDEX risk_object_source_id_idx ON risk_object ((upper(source_id) COLLATE "C")) WHERE retired_at IS NULL;
