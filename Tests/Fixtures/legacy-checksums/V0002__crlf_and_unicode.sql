-- Written on Windows: CRLF line ends, UTF-8 text.
-- café, naïve, 日本語, 🚀
COMMENT ON TABLE public.notes IS 'notes — per tenant';
