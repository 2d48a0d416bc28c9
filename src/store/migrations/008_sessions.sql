-- 008_sessions: sign-in sessions (DESIGN §11.6, #25). A person who signs in with GitHub (or
-- another OAuth2 provider) gets a session: an api_tokens row whose session_of names them
-- ("github:alice"), with the role their organisations and teams earned, an expiry, and the
-- revocation and last use every token has. Its hash is that of the session JWT's jti, so the
-- session is found, cached and revoked like a token; a bare jti presented as a bearer token is
-- refused (control/control_plane.cc).
ALTER TABLE api_tokens ADD COLUMN session_of TEXT NOT NULL DEFAULT '';
