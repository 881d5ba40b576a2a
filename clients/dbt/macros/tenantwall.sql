{# tenantwall:begin bind #}
{#
  Binds the tenant for one model run: the model's pre-hook, which dbt runs inside the model's transaction,
  so the tenant lasts exactly as long as the statement that builds the model, and a pooled connection carries
  nothing to its next user. The tenant comes from `--vars '{tenant_id: …}'` (a run without it fails at once,
  rather than building models that read no rows); the setter from `tenantwall_setter` (default: the context
  binding's; the signed binding passes a token as tenant_id to `<helper_schema>.set_tenant_context`).
#}
{% macro tenantwall_bind_tenant() %}
  {%- set tenant = var('tenant_id', none) -%}
  {%- if tenant is none -%}
    {{ exceptions.raise_compiler_error("tenantwall: no tenant for this run: dbt run --vars '{tenant_id: ...}'") }}
  {%- endif -%}
  {%- set literal = "'" ~ (tenant | string | replace("'", "''")) ~ "'" -%}
  {{ var('tenantwall_setter', 'select tenantwall.set_tenant_context($1)') | replace('$1', literal) }}
{% endmacro %}
{# tenantwall:end bind #}
