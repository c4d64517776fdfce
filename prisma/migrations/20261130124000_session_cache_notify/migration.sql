-- Written by hand (db:diff does not model triggers). Each app process remembers the sessions it has checked
-- (server/services/auth/session-cache.ts) and LISTENs on "reelwise_session_cache"; these triggers tell every process,
-- at commit, which user's (or workspace's) remembered sessions to forget: a session ended, or something the session
-- view shows (the user, a membership, a workspace) changed. 'all' empties the cache.
CREATE FUNCTION "reelwise_session_changed"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_LEVEL = 'STATEMENT' THEN
    PERFORM pg_notify('reelwise_session_cache', 'all');
  ELSIF TG_TABLE_NAME = 'Workspace' THEN
    PERFORM pg_notify('reelwise_session_cache', 'workspace:' || OLD.id);
  ELSIF TG_TABLE_NAME = 'User' THEN
    PERFORM pg_notify('reelwise_session_cache', 'user:' || OLD.id);
  ELSE
    -- AuthSession and Membership rows belong to a user; a moved row concerns both (repeats in one transaction are sent once).
    IF TG_OP <> 'INSERT' THEN PERFORM pg_notify('reelwise_session_cache', 'user:' || OLD."userId"); END IF;
    IF TG_OP <> 'DELETE' THEN PERFORM pg_notify('reelwise_session_cache', 'user:' || NEW."userId"); END IF;
  END IF;
  RETURN NULL;
END
$$;

-- Refresh-token rotation updates lastUsedAt and extends expiresAt on every refresh: that needs no notification.
CREATE TRIGGER "AuthSession_session_cache_update" AFTER UPDATE ON "AuthSession" FOR EACH ROW
  WHEN (OLD."revokedAt" IS DISTINCT FROM NEW."revokedAt" OR OLD."userId" <> NEW."userId" OR NEW."expiresAt" < OLD."expiresAt")
  EXECUTE FUNCTION "reelwise_session_changed"();
CREATE TRIGGER "AuthSession_session_cache_delete" AFTER DELETE ON "AuthSession" FOR EACH ROW EXECUTE FUNCTION "reelwise_session_changed"();

-- Sign-ins update lastSignInAt: only what the session view shows counts.
CREATE TRIGGER "User_session_cache_update" AFTER UPDATE ON "User" FOR EACH ROW
  WHEN (OLD.email IS DISTINCT FROM NEW.email OR OLD.name IS DISTINCT FROM NEW.name OR OLD."emailVerifiedAt" IS DISTINCT FROM NEW."emailVerifiedAt")
  EXECUTE FUNCTION "reelwise_session_changed"();
CREATE TRIGGER "User_session_cache_delete" AFTER DELETE ON "User" FOR EACH ROW EXECUTE FUNCTION "reelwise_session_changed"();

CREATE TRIGGER "Membership_session_cache" AFTER INSERT OR UPDATE OR DELETE ON "Membership" FOR EACH ROW EXECUTE FUNCTION "reelwise_session_changed"();

-- A deleted workspace takes its memberships with it, and their triggers fire.
CREATE TRIGGER "Workspace_session_cache_update" AFTER UPDATE ON "Workspace" FOR EACH ROW
  WHEN (OLD.name IS DISTINCT FROM NEW.name OR OLD.slug IS DISTINCT FROM NEW.slug OR OLD."timeZone" IS DISTINCT FROM NEW."timeZone" OR OLD."postsNeedApproval" IS DISTINCT FROM NEW."postsNeedApproval")
  EXECUTE FUNCTION "reelwise_session_changed"();

CREATE TRIGGER "AuthSession_session_cache_truncate" AFTER TRUNCATE ON "AuthSession" FOR EACH STATEMENT EXECUTE FUNCTION "reelwise_session_changed"();
CREATE TRIGGER "User_session_cache_truncate" AFTER TRUNCATE ON "User" FOR EACH STATEMENT EXECUTE FUNCTION "reelwise_session_changed"();
CREATE TRIGGER "Membership_session_cache_truncate" AFTER TRUNCATE ON "Membership" FOR EACH STATEMENT EXECUTE FUNCTION "reelwise_session_changed"();
CREATE TRIGGER "Workspace_session_cache_truncate" AFTER TRUNCATE ON "Workspace" FOR EACH STATEMENT EXECUTE FUNCTION "reelwise_session_changed"();
