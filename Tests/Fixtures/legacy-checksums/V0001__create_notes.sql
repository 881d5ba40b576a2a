-- A first migration as teams write them by hand.
CREATE TABLE public.notes (
    tenant_id uuid NOT NULL,
    id bigint GENERATED ALWAYS AS IDENTITY,
    body text NOT NULL,
    PRIMARY KEY (tenant_id, id)
);
