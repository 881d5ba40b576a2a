-- tenantwall:begin model
-- No `where tenant_id = …`: the pre-hook bound the tenant and the policy filters.
select tenant_id, id, name
from public.workflows
-- tenantwall:end model
