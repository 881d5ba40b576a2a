CREATE OR REPLACE FUNCTION public.note_count() RETURNS bigint
    LANGUAGE sql STABLE AS $$ SELECT count(*) FROM public.notes $$;
