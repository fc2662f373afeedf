"""AWS-documented policy-evaluation rules as scenario files, run through the real scenario path.

Each row names a file in ``tests/scenarios/`` (README.md, "The scenario file"), the decision the AWS
documentation states for it, the statements that must appear in ``decided_by``, and the page the
case follows. ``test_doc_scenario`` evaluates each file in-process exactly as ``simulate --scenario``
does; ``test_cli_batch_matches_table`` runs all of them through the command line as one ``.jsonl``
batch and checks every line, the JSON shape and the exit status.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from lambdaperm_tui.iam.errors import InputError
from lambdaperm_tui.iam.evaluate import evaluate
from lambdaperm_tui.iam.scenario import load_scenario, scenario_result_json

SCENARIOS = Path(__file__).resolve().parent.parent / "scenarios"

DENYALLOW = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic_policy-eval-denyallow.html"
BASICS = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic_policy-eval-basics.html"
CROSS = (
    "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic-cross-account.html"
)
BOUNDARY = "https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_boundaries.html"
SESSION = "https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies.html#policies_session"
SCP = "https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps_evaluation.html"
RCP = "https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_rcps.html"
RCPEX = "https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_rcps_examples.html"
PRINCIPAL = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html"
NOTPRINCIPAL = (
    "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notprincipal.html"
)
NOTACTION = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notaction.html"
NOTRESOURCE = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notresource.html"
ACTION = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_action.html"
RESOURCE = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html"
VERSION = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_version.html"
STATEMENT = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_statement.html"
CONDOPS = (
    "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html"
)
CONDLOGIC = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-logic-multiple-context-keys-or-values.html"
MULTIVALUE = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html"
CONDITION = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition.html"
VARIABLES = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html"
KEYS = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html"
DEPUTY = "https://docs.aws.amazon.com/IAM/latest/UserGuide/confused-deputy.html"
LAMBDA_RBP = "https://docs.aws.amazon.com/lambda/latest/dg/access-control-resource-based.html"
LAMBDA_REF = "https://docs.aws.amazon.com/lambda/latest/dg/lambda-api-permissions-ref.html"
LAMBDA_ADDPERM = "https://docs.aws.amazon.com/lambda/latest/api/API_AddPermission.html"
LAMBDA_URL = "https://docs.aws.amazon.com/lambda/latest/dg/urls-auth.html"
LAMBDA_LAYER = "https://docs.aws.amazon.com/lambda/latest/dg/permissions-layer-cross-account.html"
LAMBDA_ORG = "https://docs.aws.amazon.com/lambda/latest/dg/permissions-function-cross-account.html"
LAMBDA_SVC = "https://docs.aws.amazon.com/lambda/latest/dg/permissions-function-services.html"
IDS = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_identifiers.html"
GFT = "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_temp_control-access_getfederationtoken.html"
SCPS = "https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps.html"

# (scenario file stem, expected decision, statements that must be in decided_by, AWS page)
CASES: list[tuple[str, str, tuple[tuple[str, str, int], ...], str]] = [
    ("same_account_identity_allow_only", "allowed", (("identity", "id-allow", 0),), BASICS),
    ("same_account_resource_allow_only_role", "allowed", (("resource", "billing", 0),), BASICS),
    ("same_account_no_allow_anywhere", "implicit_deny", (), DENYALLOW),
    ("no_policies_at_all", "implicit_deny", (), DENYALLOW),
    ("explicit_deny_identity_beats_resource_allow", "explicit_deny", (("identity", "deny", 0),), DENYALLOW),
    (
        "explicit_deny_resource_beats_identity_allow",
        "explicit_deny",
        (("resource", "billing", 0),),
        DENYALLOW,
    ),
    ("explicit_deny_in_boundary", "explicit_deny", (("boundary", "pb", 1),), BOUNDARY),
    ("explicit_deny_in_session_policy", "explicit_deny", (("session", "sp", 0),), SESSION),
    ("deny_statement_second_in_same_policy", "explicit_deny", (("identity", "mixed", 1),), DENYALLOW),
    ("allow_in_one_identity_policy_of_many", "allowed", (("identity", "b", 0),), BASICS),
    (
        "scp_all_levels_allow",
        "allowed",
        (("identity", "id-allow", 0), ("scp", "FullAWSAccess", 0), ("scp", "ou-lambda", 0)),
        SCP,
    ),
    ("scp_missing_allow_at_ou_level", "implicit_deny", (), SCP),
    ("scp_missing_allow_at_account_level", "implicit_deny", (), SCP),
    ("scp_explicit_deny", "explicit_deny", (("scp", "deny-lambda", 0),), SCP),
    ("scp_allow_does_not_grant", "implicit_deny", (), SCP),
    ("scp_limits_resource_policy_grant_same_account", "implicit_deny", (), SCP),
    ("scp_not_applied_to_service_principal", "allowed", (("resource", "billing", 0),), SCP),
    ("scp_deny_applies_to_root_user", "explicit_deny", (), SCP),
    ("scp_missing_allow_applies_to_root_user", "implicit_deny", (), SCP),
    ("scp_with_notaction_deny_region_style", "explicit_deny", (), SCP),
    ("scp_with_notaction_deny_region_allowed_region", "allowed", (), SCP),
    ("rcp_deny_external_principal", "explicit_deny", (("rcp", "enforce-org", 0),), RCPEX),
    ("rcp_org_member_allowed", "allowed", (), RCPEX),
    ("rcp_service_principal_exempt_by_condition", "allowed", (), RCPEX),
    ("rcp_confused_deputy_denies_foreign_source", "explicit_deny", (("rcp", "confused-deputy", 0),), RCPEX),
    ("rcp_confused_deputy_no_source_account_not_denied", "allowed", (), RCPEX),
    ("rcp_level_without_allow", "implicit_deny", (), DENYALLOW),
    ("cross_account_both_allow", "allowed", (("identity", "id-allow", 0), ("resource", "billing", 0)), CROSS),
    ("cross_account_only_resource_allows", "implicit_deny", (), CROSS),
    ("cross_account_only_identity_allows", "implicit_deny", (), CROSS),
    ("cross_account_resource_names_account_root_arn", "allowed", (), CROSS),
    ("cross_account_resource_names_bare_account_id", "allowed", (), PRINCIPAL),
    ("cross_account_boundary_without_allow", "implicit_deny", (), CROSS),
    ("cross_account_resource_names_other_account", "implicit_deny", (), CROSS),
    ("cross_account_explicit_resource_account_field", "implicit_deny", (), CROSS),
    ("cross_account_scp_of_caller_blocks", "implicit_deny", (), CROSS),
    ("boundary_limits_identity_allow", "implicit_deny", (), BOUNDARY),
    (
        "boundary_and_identity_both_allow",
        "allowed",
        (("identity", "id-allow", 0), ("boundary", "pb", 0)),
        BOUNDARY,
    ),
    ("boundary_alone_grants_nothing", "implicit_deny", (), BOUNDARY),
    ("resource_policy_user_arn_not_limited_by_boundary", "allowed", (("resource", "billing", 0),), DENYALLOW),
    ("resource_policy_role_arn_limited_by_boundary", "implicit_deny", (), DENYALLOW),
    ("resource_policy_role_arn_session_limited_by_boundary", "implicit_deny", (), DENYALLOW),
    ("resource_policy_role_arn_limited_by_session_policy", "implicit_deny", (), DENYALLOW),
    ("resource_policy_session_arn_not_limited_by_boundary", "allowed", (), DENYALLOW),
    ("resource_policy_session_arn_not_limited_by_session_policy", "allowed", (), DENYALLOW),
    ("resource_policy_federated_user_arn_not_limited_by_session_policy", "allowed", (), DENYALLOW),
    ("resource_policy_iam_user_arn_does_not_grant_federated_session", "implicit_deny", (), DENYALLOW),
    ("session_policy_limits_identity_allow", "implicit_deny", (), SESSION),
    ("session_policy_and_identity_allow", "allowed", (), SESSION),
    ("session_policy_alone_grants_nothing", "implicit_deny", (), SESSION),
    ("resource_policy_role_arn_no_boundary_allows", "allowed", (), BASICS),
    ("resource_policy_role_arn_with_path_matches_session", "allowed", (), IDS),
    ("resource_policy_account_principal_same_account_delegates", "implicit_deny", (), PRINCIPAL),
    ("resource_policy_account_principal_with_identity_allow", "allowed", (), PRINCIPAL),
    ("resource_policy_other_user_no_grant", "implicit_deny", (), BASICS),
    ("root_user_own_account_full_access", "allowed", (), DENYALLOW),
    ("root_user_bare_account_id_own_account", "allowed", (), DENYALLOW),
    ("root_user_denied_by_resource_policy", "explicit_deny", (), DENYALLOW),
    ("root_user_other_account_without_resource_policy", "implicit_deny", (), CROSS),
    ("root_user_other_account_with_resource_policy", "allowed", (), CROSS),
    ("service_principal_allowed_by_resource_policy_source_arn", "allowed", (), LAMBDA_SVC),
    ("service_principal_confused_deputy_wrong_source_arn", "implicit_deny", (), DEPUTY),
    ("service_principal_missing_source_arn", "implicit_deny", (), DEPUTY),
    ("service_principal_other_service_not_granted", "implicit_deny", (), PRINCIPAL),
    ("service_principal_identity_policies_irrelevant", "implicit_deny", (), LAMBDA_RBP),
    ("service_principal_list_form", "allowed", (), PRINCIPAL),
    ("anonymous_principal_star", "allowed", (), PRINCIPAL),
    ("anonymous_principal_aws_star", "allowed", (), PRINCIPAL),
    ("anonymous_no_resource_policy", "implicit_deny", (), PRINCIPAL),
    ("anonymous_not_matched_by_account_principal", "implicit_deny", (), PRINCIPAL),
    ("public_principal_star_cross_account_needs_identity", "implicit_deny", (), CROSS),
    ("principal_org_id_condition_member", "allowed", (), LAMBDA_ORG),
    ("principal_org_id_condition_non_member", "implicit_deny", (), LAMBDA_ORG),
    ("notprincipal_deny_exempts_listed_user_and_account", "allowed", (), NOTPRINCIPAL),
    (
        "notprincipal_deny_applies_to_unlisted_user",
        "explicit_deny",
        (("resource", "billing", 0),),
        NOTPRINCIPAL,
    ),
    ("notprincipal_deny_session_needs_session_role_and_account", "allowed", (), NOTPRINCIPAL),
    ("notprincipal_deny_role_arn_only_does_not_exempt_session", "explicit_deny", (), NOTPRINCIPAL),
    ("notprincipal_deny_user_without_account_listed_is_denied", "explicit_deny", (), NOTPRINCIPAL),
    ("notprincipal_deny_applies_to_service_principal", "explicit_deny", (), NOTPRINCIPAL),
    ("notprincipal_deny_with_boundary_always_applies", "explicit_deny", (), NOTPRINCIPAL),
    ("notaction_allow_everything_but_iam", "allowed", (), NOTACTION),
    ("notaction_allow_excluded_action", "implicit_deny", (), NOTACTION),
    ("notaction_deny_excludes_listed_action", "allowed", (), NOTACTION),
    ("notaction_deny_other_action", "explicit_deny", (), NOTACTION),
    ("notresource_deny_other_function", "explicit_deny", (), NOTRESOURCE),
    ("notresource_deny_listed_function_not_denied", "allowed", (), NOTRESOURCE),
    ("notresource_allow", "allowed", (), NOTRESOURCE),
    ("action_match_case_insensitive", "allowed", (), ACTION),
    ("action_request_case_insensitive", "allowed", (), ACTION),
    ("action_wildcard_prefix", "allowed", (), ACTION),
    ("action_question_mark_wildcard", "allowed", (), ACTION),
    ("action_other_service_prefix_no_match", "implicit_deny", (), ACTION),
    ("resource_arn_case_sensitive", "implicit_deny", (), RESOURCE),
    ("resource_wildcard_region_and_name", "allowed", (), RESOURCE),
    ("resource_question_mark_one_char", "allowed", (), RESOURCE),
    ("resource_question_mark_not_two_chars", "implicit_deny", (), RESOURCE),
    ("resource_list_any_matches", "allowed", (), RESOURCE),
    ("lambda_unqualified_policy_does_not_cover_alias", "implicit_deny", (), LAMBDA_REF),
    ("lambda_qualified_star_covers_alias", "allowed", (), LAMBDA_REF),
    ("lambda_qualified_star_does_not_cover_unqualified", "implicit_deny", (), LAMBDA_REF),
    ("lambda_name_star_covers_unqualified_and_other_functions", "allowed", (), LAMBDA_REF),
    ("lambda_version_policy_not_alias", "implicit_deny", (), LAMBDA_ADDPERM),
    ("lambda_alias_resource_policy_allows_alias", "allowed", (), LAMBDA_ADDPERM),
    ("lambda_latest_qualifier_matched_by_star", "allowed", (), LAMBDA_REF),
    ("function_url_auth_none_public", "allowed", (), LAMBDA_URL),
    ("function_url_auth_type_mismatch", "implicit_deny", (), LAMBDA_URL),
    ("invoked_via_function_url_true", "allowed", (), LAMBDA_URL),
    ("invoked_via_function_url_absent", "implicit_deny", (), LAMBDA_URL),
    ("function_url_aws_iam_same_account_identity", "allowed", (), LAMBDA_URL),
    ("layer_version_cross_account_org", "allowed", (), LAMBDA_LAYER),
    ("layer_policy_other_version", "implicit_deny", (), LAMBDA_LAYER),
    ("layer_condition_on_lambda_layer_key", "allowed", (), LAMBDA_REF),
    ("layer_condition_on_lambda_layer_key_foreign_layer", "implicit_deny", (), LAMBDA_REF),
    ("statement_as_single_object", "allowed", (), STATEMENT),
    ("policy_variable_username_2012", "allowed", (), VARIABLES),
    ("policy_variable_literal_without_version", "implicit_deny", (), VERSION),
    ("policy_variable_literal_under_2008", "implicit_deny", (), VERSION),
    ("policy_variable_2008_matches_literal_text", "allowed", (), VERSION),
    ("policy_variable_username_absent_for_role", "implicit_deny", (), VARIABLES),
    ("policy_variable_principal_tag_in_resource", "allowed", (), VARIABLES),
    ("policy_variable_default_value_used", "allowed", (), VARIABLES),
    ("policy_variable_in_condition_value", "allowed", (), VARIABLES),
    ("policy_variable_star_escape_literal", "implicit_deny", (), VARIABLES),
    ("policy_variable_star_escape_in_condition", "allowed", (), VARIABLES),
    ("policy_variable_principal_arn_derived", "allowed", (), KEYS),
    ("principal_account_derived", "allowed", (), KEYS),
    ("cond_string_equals_absent_key", "implicit_deny", (), CONDOPS),
    ("cond_string_not_equals_absent_key_true", "allowed", (), CONDOPS),
    ("cond_string_not_equals_present_equal", "implicit_deny", (), CONDOPS),
    ("cond_string_equals_if_exists_absent", "allowed", (), CONDOPS),
    ("cond_string_equals_if_exists_present_mismatch", "implicit_deny", (), CONDOPS),
    ("cond_string_not_equals_if_exists_absent", "allowed", (), CONDOPS),
    ("cond_deny_string_not_equals_if_exists_mismatch", "explicit_deny", (), CONDOPS),
    ("cond_deny_string_not_equals_if_exists_absent", "explicit_deny", (), CONDOPS),
    ("cond_deny_string_not_like_if_exists_match", "allowed", (), CONDOPS),
    ("cond_string_equals_case_sensitive_value", "implicit_deny", (), CONDOPS),
    ("cond_string_equals_ignore_case", "allowed", (), CONDOPS),
    ("cond_string_not_equals_ignore_case", "implicit_deny", (), CONDOPS),
    ("cond_key_name_case_insensitive", "allowed", (), CONDITION),
    ("cond_string_like_star", "allowed", (), CONDOPS),
    ("cond_string_like_question", "implicit_deny", (), CONDOPS),
    ("cond_string_not_like_match", "implicit_deny", (), CONDOPS),
    ("cond_string_equals_no_wildcards", "implicit_deny", (), CONDOPS),
    ("cond_multiple_values_or", "allowed", (), CONDLOGIC),
    ("cond_multiple_keys_and_one_fails", "implicit_deny", (), CONDLOGIC),
    ("cond_multiple_keys_and_all_match", "allowed", (), CONDLOGIC),
    ("cond_multiple_operators_and", "implicit_deny", (), CONDLOGIC),
    ("cond_for_all_values_absent_key_true", "allowed", (), MULTIVALUE),
    ("cond_for_all_values_subset", "allowed", (), MULTIVALUE),
    ("cond_for_all_values_extra_value", "implicit_deny", (), MULTIVALUE),
    ("cond_for_all_values_empty_list_true", "allowed", (), MULTIVALUE),
    ("cond_deny_for_all_values_absent_key_denies", "explicit_deny", (), MULTIVALUE),
    ("cond_for_any_value_absent_key_false", "implicit_deny", (), MULTIVALUE),
    ("cond_for_any_value_one_match", "allowed", (), MULTIVALUE),
    ("cond_for_any_value_no_match", "implicit_deny", (), MULTIVALUE),
    ("cond_for_any_value_string_like", "allowed", (), MULTIVALUE),
    ("cond_for_all_values_string_not_equals", "implicit_deny", (), MULTIVALUE),
    ("cond_null_true_absent", "allowed", (), CONDOPS),
    ("cond_null_true_present", "implicit_deny", (), CONDOPS),
    ("cond_null_false_present", "allowed", (), CONDOPS),
    ("cond_null_false_absent", "implicit_deny", (), CONDOPS),
    ("cond_numeric_less_than", "allowed", (), CONDOPS),
    ("cond_numeric_compares_numbers_not_strings", "allowed", (), CONDOPS),
    ("cond_numeric_absent", "implicit_deny", (), CONDOPS),
    ("cond_numeric_not_equals_absent", "allowed", (), CONDOPS),
    ("cond_numeric_less_than_equals_boundary", "allowed", (), CONDOPS),
    ("cond_date_iso_policy_epoch_request", "allowed", (), CONDOPS),
    ("cond_date_epoch_policy_iso_request", "implicit_deny", (), CONDOPS),
    ("cond_date_less_than_iso_both", "allowed", (), CONDOPS),
    ("cond_date_equals_same_instant_two_forms", "allowed", (), CONDOPS),
    ("cond_date_absent", "implicit_deny", (), CONDOPS),
    ("cond_date_not_equals_absent", "allowed", (), CONDOPS),
    ("cond_bool_secure_transport_true", "allowed", (), CONDOPS),
    ("cond_bool_deny_insecure", "explicit_deny", (), CONDOPS),
    ("cond_bool_absent", "implicit_deny", (), CONDOPS),
    ("cond_bool_if_exists_absent", "allowed", (), CONDOPS),
    ("cond_bool_deny_mfa_false_if_exists_absent", "explicit_deny", (), CONDOPS),
    ("cond_ip_address_in_cidr", "allowed", (), CONDOPS),
    ("cond_ip_address_out_of_cidr", "implicit_deny", (), CONDOPS),
    ("cond_ip_address_single_host", "allowed", (), CONDOPS),
    ("cond_ip_address_ipv6_cidr", "allowed", (), CONDOPS),
    ("cond_ip_address_ipv6_outside", "implicit_deny", (), CONDOPS),
    ("cond_not_ip_address_deny_outside", "explicit_deny", (), CONDOPS),
    ("cond_not_ip_address_deny_inside", "allowed", (), CONDOPS),
    ("cond_ip_address_absent", "implicit_deny", (), CONDOPS),
    ("cond_binary_equals", "allowed", (), CONDOPS),
    ("cond_binary_equals_mismatch", "implicit_deny", (), CONDOPS),
    ("cond_arn_like_wildcards", "allowed", (), CONDOPS),
    ("cond_arn_equals_wildcard", "allowed", (), CONDOPS),
    ("cond_arn_like_region_mismatch", "implicit_deny", (), CONDOPS),
    ("cond_arn_not_like_absent", "allowed", (), CONDOPS),
    ("cond_arn_like_case_sensitive", "implicit_deny", (), CONDOPS),
    ("cond_username_derived_for_user", "allowed", (), KEYS),
    ("cond_principal_type_user", "allowed", (), KEYS),
    ("cond_principal_type_role_session", "allowed", (), KEYS),
    ("cond_username_absent_for_role", "implicit_deny", (), KEYS),
    ("cond_variable_default_in_condition", "allowed", (), VARIABLES),
    ("cond_variable_unresolved_no_match", "implicit_deny", (), VARIABLES),
    ("cond_variable_dollar_escape", "allowed", (), VARIABLES),
    ("cond_variable_question_escape_like", "implicit_deny", (), VARIABLES),
    ("cond_variable_question_escape_literal", "allowed", (), VARIABLES),
    ("resource_deny_naming_role_applies_to_its_session", "explicit_deny", (), PRINCIPAL),
    ("resource_deny_naming_account_applies_to_user", "explicit_deny", (), PRINCIPAL),
    ("resource_deny_naming_other_user_not_applied", "allowed", (), PRINCIPAL),
    ("resource_deny_star_applies_to_service_principal", "explicit_deny", (), PRINCIPAL),
    ("resource_policy_aws_star_list_form", "allowed", (), PRINCIPAL),
    ("resource_policy_star_allows_service_principal", "allowed", (), PRINCIPAL),
    ("cross_account_session_named_by_role_arn", "allowed", (), CROSS),
    ("cross_account_session_arn_named", "allowed", (), CROSS),
    ("cross_account_other_session_arn_not_matched", "implicit_deny", (), CROSS),
    ("rcp_deny_applies_to_anonymous", "explicit_deny", (), RCP),
    ("scp_exempts_admin_role_by_principal_arn", "allowed", (), SCP),
    ("scp_denies_non_admin_role_by_principal_arn", "explicit_deny", (), SCP),
    ("resource_star_matches_alias_arn", "allowed", (), RESOURCE),
    ("context_given_principal_arn_overrides_derived", "allowed", (), KEYS),
    ("cond_principal_is_aws_service_false_for_role", "allowed", (), KEYS),
    ("principal_service_name_derived", "allowed", (), KEYS),
    ("variable_in_condition_literal_without_version", "allowed", (), VERSION),
    ("cond_date_with_offset", "allowed", (), CONDOPS),
    ("cond_for_all_values_if_exists_absent", "allowed", (), MULTIVALUE),
    ("cond_numeric_decimal", "allowed", (), CONDOPS),
    ("cond_ip_v4_key_vs_v6_cidr_no_match", "implicit_deny", (), CONDOPS),
    (
        "doc_example_carlos_explicit_deny_in_identity_beats_bucket_policy",
        "explicit_deny",
        (("identity", "carlossalazar-policy", 2),),
        BASICS,
    ),
    (
        "doc_example_carlos_own_bucket_allowed_by_identity",
        "allowed",
        (("identity", "carlossalazar-policy", 1),),
        BASICS,
    ),
    ("doc_example_boundary_shirley_createuser_denied", "implicit_deny", (), BOUNDARY),
    ("doc_example_boundary_allows_but_no_identity_grant", "implicit_deny", (), BOUNDARY),
    ("cross_account_bucket_policy_grants_other_action_only", "implicit_deny", (), CROSS),
    ("cross_account_bucket_policy_get_allowed", "allowed", (), CROSS),
    ("scp_deny_all_except_approved_services", "explicit_deny", (), SCP),
    ("scp_allow_list_approved_service", "allowed", (), SCP),
    ("scp_allow_list_style_without_full_access", "implicit_deny", (), SCP),
    ("mfa_deny_bool_if_exists_long_term_credentials", "explicit_deny", (), CONDOPS),
    ("mfa_deny_bool_if_exists_with_mfa", "allowed", (), CONDOPS),
    ("cond_for_any_value_negated_absent_false", "implicit_deny", (), MULTIVALUE),
    ("cond_for_all_values_negated_absent_true", "allowed", (), MULTIVALUE),
    ("cond_string_not_equals_several_values_nor", "implicit_deny", (), CONDLOGIC),
    ("cond_not_ip_address_if_exists_absent", "allowed", (), CONDOPS),
    ("cond_ip_policy_cidr_with_host_bits", "allowed", (), CONDOPS),
    ("cond_date_policy_date_only", "allowed", (), CONDOPS),
    ("cond_numeric_equals_decimal_forms", "allowed", (), CONDOPS),
    ("cond_variable_in_string_like_with_wildcard", "allowed", (), VARIABLES),
    ("boundary_allows_resource_policy_names_role", "allowed", (), DENYALLOW),
    ("boundary_without_allow_resource_policy_names_account", "implicit_deny", (), BOUNDARY),
    ("function_url_aws_iam_cross_account_both_sides", "allowed", (), LAMBDA_URL),
    ("function_url_aws_iam_cross_account_without_resource_grant", "implicit_deny", (), LAMBDA_URL),
    ("layer_version_public_grant_any_account", "allowed", (), LAMBDA_LAYER),
    ("abac_resource_tag_matches_principal_tag", "allowed", (), VARIABLES),
    ("abac_resource_tag_differs_from_principal_tag", "implicit_deny", (), VARIABLES),
    ("eventbridge_rule_invokes_with_source_arn", "allowed", (), LAMBDA_SVC),
    ("federated_user_without_session_policy_has_no_identity_permissions", "implicit_deny", (), GFT),
    ("federated_user_session_arn_named_without_session_policy", "allowed", (), GFT),
    ("federated_user_session_policy_and_user_policy_intersect", "allowed", (), GFT),
    ("resource_question_mark_does_not_match_colon", "implicit_deny", (), RESOURCE),
    ("resource_inner_star_stays_in_segment", "implicit_deny", (), RESOURCE),
    ("resource_inner_star_within_segment_matches", "allowed", (), RESOURCE),
    ("resource_segment_ending_star_crosses_colon", "allowed", (), RESOURCE),
    ("scp_does_not_affect_service_linked_role", "allowed", (), SCPS),
]

_DECIDED_KEYS = {"policy_type", "policy", "statement_index", "sid", "effect"}
_POLICY_TYPES = {"identity", "resource", "boundary", "session", "scp", "rcp"}


def _load(stem: str) -> dict[str, object]:
    data: dict[str, object] = json.loads((SCENARIOS / f"{stem}.json").read_text())
    return data


def _check_shape(
    out: dict[str, object], expected: str, must_decide: tuple[tuple[str, str, int], ...]
) -> None:
    assert out["decision"] == expected, out.get("explanation")
    decided = out["decided_by"]
    assert isinstance(decided, list)
    for d in decided:
        assert set(d) == _DECIDED_KEYS, d
        assert d["policy_type"] in _POLICY_TYPES
        assert isinstance(d["policy"], str) and isinstance(d["statement_index"], int)
        assert d["sid"] is None or isinstance(d["sid"], str)
    if expected == "explicit_deny":
        # The deciding statements of an explicit deny are the Deny statements that matched.
        assert decided and all(d["effect"] == "Deny" for d in decided)
    if expected == "allowed":
        # Empty only for the root user of the resource's account, whom no statement needs to allow.
        assert all(d["effect"] == "Allow" for d in decided)
    have = {(d["policy_type"], d["policy"], d["statement_index"]) for d in decided}
    for want in must_decide:
        assert want in have, (want, sorted(have))


def test_every_scenario_file_is_in_the_table() -> None:
    """A scenario file without an expected decision would silently test nothing."""
    files = {p.stem for p in SCENARIOS.glob("*.json")}
    names = [c[0] for c in CASES]
    assert len(names) == len(set(names))
    assert files == set(names)


@pytest.mark.parametrize(("stem", "expected", "must_decide", "doc"), CASES, ids=[c[0] for c in CASES])
def test_doc_scenario(
    stem: str, expected: str, must_decide: tuple[tuple[str, str, int], ...], doc: str
) -> None:
    """Evaluate the scenario file as ``simulate --scenario FILE --json`` does; ``doc`` is the AWS page the
    expected decision comes from."""
    assert doc.startswith("https://docs.aws.amazon.com/")
    request, policies = load_scenario(_load(stem))
    _check_shape(scenario_result_json(evaluate(request, policies)), expected, must_decide)
    # The fast path (no explanation) must reach the same decision.
    assert evaluate(request, policies, explain=False).decision.value == expected


def _run_cli(path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "lambdaperm_tui", "simulate", "--scenario", str(path), "--json"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_cli_batch_matches_table(tmp_path: Path) -> None:
    """Every scenario through the real command line as one ``.jsonl`` batch (README.md, "The scenario
    file"): one JSON result per line, in order; exit status 1 because some lines are denied.
    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html"""
    batch = tmp_path / "all.jsonl"
    batch.write_text("".join(json.dumps(_load(c[0])) + "\n" for c in CASES))
    proc = _run_cli(batch)
    assert proc.returncode == 1, proc.stderr
    lines = proc.stdout.splitlines()
    assert len(lines) == len(CASES)
    for (stem, expected, must_decide, _doc), line in zip(CASES, lines, strict=True):
        out = json.loads(line)
        assert "error" not in out, (stem, out)
        _check_shape(out, expected, must_decide)


@pytest.mark.parametrize(
    ("stem", "status"),
    [
        ("same_account_identity_allow_only", 0),
        ("same_account_no_allow_anywhere", 1),
        ("scp_explicit_deny", 1),
    ],
)
def test_cli_single_file_exit_status(stem: str, status: int) -> None:
    """Exit status 0 allowed, 1 denied (README.md, "The scenario file")."""
    proc = _run_cli(SCENARIOS / f"{stem}.json")
    assert proc.returncode == status, proc.stderr
    assert json.loads(proc.stdout)["decision"] == dict(CASES_BY_STEM)[stem]


CASES_BY_STEM = [(c[0], c[1]) for c in CASES]


# ------------------------------------------------------------------------------------ invalid input

_ACCT = "111122223333"
_FN = f"arn:aws:lambda:us-east-1:{_ACCT}:function:billing"


def _scenario(**fields: object) -> dict[str, object]:
    out: dict[str, object] = {
        "principal": f"arn:aws:iam::{_ACCT}:role/orders-api",
        "action": "lambda:InvokeFunction",
        "resource": _FN,
    }
    out.update(fields)
    return out


def _identity(*statements: object, **doc: object) -> list[dict[str, object]]:
    document: dict[str, object] = {"Version": "2012-10-17", "Statement": list(statements)}
    document.update(doc)
    return [{"name": "p", "document": document}]


_OK = {"Effect": "Allow", "Action": "lambda:*", "Resource": "*"}

# (case id, scenario, the field path the one-line message must start with, a word it must contain, page)
INVALID: list[tuple[str, dict[str, object], str, str, str]] = [
    (
        "unknown_operator",
        _scenario(identity_policies=_identity({**_OK, "Condition": {"StringEqualz": {"aws:SourceIp": "1"}}})),
        "identity_policies[0].document: Statement[0].Condition",
        "StringEqualz",
        CONDOPS,
    ),
    (
        "operator_wrong_case",
        _scenario(identity_policies=_identity({**_OK, "Condition": {"stringequals": {"aws:Foo": "1"}}})),
        "identity_policies[0].document: Statement[0].Condition",
        "stringequals",
        CONDOPS,
    ),
    (
        "set_qualifier_typo",
        _scenario(
            identity_policies=_identity({**_OK, "Condition": {"ForAllValue:StringEquals": {"a:b": "x"}}})
        ),
        "identity_policies[0].document: Statement[0].Condition",
        "ForAllValue:StringEquals",
        MULTIVALUE,
    ),
    (
        "effect_typo",
        _scenario(identity_policies=_identity({**_OK, "Effect": "Alow"})),
        "identity_policies[0].document: Statement[0].Effect",
        "Alow",
        STATEMENT,
    ),
    (
        "effect_lower_case",
        _scenario(identity_policies=_identity({**_OK, "Effect": "allow"})),
        "identity_policies[0].document: Statement[0].Effect",
        "allow",
        STATEMENT,
    ),
    (
        "statement_missing_effect",
        _scenario(identity_policies=_identity({"Action": "lambda:*", "Resource": "*"})),
        "identity_policies[0].document: Statement[0].Effect",
        "missing",
        STATEMENT,
    ),
    (
        "action_and_notaction",
        _scenario(identity_policies=_identity({**_OK, "NotAction": "s3:*"})),
        "identity_policies[0].document: Statement[0]",
        "NotAction",
        NOTACTION,
    ),
    (
        "resource_and_notresource",
        _scenario(identity_policies=_identity({**_OK, "NotResource": "x"})),
        "identity_policies[0].document: Statement[0]",
        "NotResource",
        NOTRESOURCE,
    ),
    (
        "statement_missing_action",
        _scenario(identity_policies=_identity({"Effect": "Allow", "Resource": "*"})),
        "identity_policies[0].document: Statement[0].Action",
        "missing",
        ACTION,
    ),
    (
        "bad_version",
        _scenario(identity_policies=_identity(_OK, Version="2012-10-18")),
        "identity_policies[0].document: Version",
        "2012-10-18",
        VERSION,
    ),
    (
        "principal_and_notprincipal",
        _scenario(
            resource_policy={
                "name": "r",
                "document": {
                    "Version": "2012-10-17",
                    "Statement": [{**_OK, "Principal": "*", "NotPrincipal": {"AWS": _ACCT}}],
                },
            }
        ),
        "resource_policy.document: Statement[0]",
        "NotPrincipal",
        NOTPRINCIPAL,
    ),
    (
        "principal_unknown_type",
        _scenario(
            resource_policy={
                "name": "r",
                "document": {"Version": "2012-10-17", "Statement": [{**_OK, "Principal": {"Aws": "*"}}]},
            }
        ),
        "resource_policy.document: Statement[0].Principal",
        "Aws",
        PRINCIPAL,
    ),
    (
        "bad_date_value",
        _scenario(
            identity_policies=_identity({**_OK, "Condition": {"DateLessThan": {"aws:CurrentTime": "soon"}}})
        ),
        "identity_policies[0].document: Statement[0].Condition.DateLessThan",
        "soon",
        CONDOPS,
    ),
    (
        "bad_cidr_value",
        _scenario(
            identity_policies=_identity({**_OK, "Condition": {"IpAddress": {"aws:SourceIp": "300.1.1.1/8"}}})
        ),
        "identity_policies[0].document: Statement[0].Condition.IpAddress",
        "300.1.1.1/8",
        CONDOPS,
    ),
    ("request_principal_form", _scenario(principal="bob"), "principal", "bob", PRINCIPAL),
    ("request_resource_not_arn", _scenario(resource="arn:aws:lambda"), "resource", "arn:aws:lambda", IDS),
    ("request_action_form", _scenario(action="lambdaInvoke"), "action", "lambdaInvoke", ACTION),
    (
        "request_missing_principal",
        {"action": "lambda:InvokeFunction", "resource": _FN},
        "principal",
        "missing",
        DENYALLOW,
    ),
    ("context_bad_ip", _scenario(context={"aws:SourceIp": "nope"}), "context.aws:SourceIp", "nope", KEYS),
    (
        "principal_in_identity_policy",
        _scenario(identity_policies=_identity({**_OK, "Principal": "*"})),
        "identity_policies[0].document: Statement[0].Principal",
        "not allowed",
        PRINCIPAL,
    ),
    (
        "principal_in_scp",
        _scenario(
            scps=[
                [
                    {
                        "name": "s",
                        "document": {"Version": "2012-10-17", "Statement": [{**_OK, "Principal": "*"}]},
                    }
                ]
            ]
        ),
        "scps[0][0].document: Statement[0].Principal",
        "not allowed",
        PRINCIPAL,
    ),
    (
        "notprincipal_in_rcp",
        _scenario(
            rcps=[
                [
                    {
                        "name": "r",
                        "document": {
                            "Version": "2012-10-17",
                            "Statement": [{**_OK, "Effect": "Deny", "NotPrincipal": {"AWS": _ACCT}}],
                        },
                    }
                ]
            ]
        ),
        "rcps[0][0].document: Statement[0].NotPrincipal",
        "RCPs",
        NOTPRINCIPAL,
    ),
    (
        "statement_missing_resource",
        _scenario(identity_policies=_identity({"Effect": "Allow", "Action": "lambda:*"})),
        "identity_policies[0].document: Statement[0].Resource",
        "missing",
        RESOURCE,
    ),
    (
        "aws_principal_not_an_arn",
        _scenario(
            resource_policy={
                "name": "r",
                "document": {"Version": "2012-10-17", "Statement": [{**_OK, "Principal": {"AWS": "bob"}}]},
            }
        ),
        "resource_policy.document: Statement[0].Principal.AWS",
        "bob",
        PRINCIPAL,
    ),
    (
        "wildcard_in_principal_arn",
        _scenario(
            resource_policy={
                "name": "r",
                "document": {
                    "Version": "2012-10-17",
                    "Statement": [{**_OK, "Principal": {"AWS": f"arn:aws:iam::{_ACCT}:role/*"}}],
                },
            }
        ),
        "resource_policy.document: Statement[0].Principal.AWS",
        "wildcards",
        PRINCIPAL,
    ),
]


@pytest.mark.parametrize(
    ("scenario", "field", "word", "doc"), [c[1:] for c in INVALID], ids=[c[0] for c in INVALID]
)
def test_invalid_input_names_the_field(scenario: dict[str, object], field: str, word: str, doc: str) -> None:
    """Bad input is an ``InputError`` whose one-line message starts with the field path (README.md, "The
    scenario file": "exit status 2 and one line naming the field"); ``doc`` is the page
    that makes the input invalid."""
    assert doc.startswith("https://docs.aws.amazon.com/")
    with pytest.raises(InputError) as info:
        load_scenario(scenario)
    message = str(info.value)
    assert message.startswith(field), message
    assert word in message and "\n" not in message


def test_cli_invalid_lines_exit_2_with_error_objects(tmp_path: Path) -> None:
    """In a batch, each invalid line gives ``{"error": MESSAGE}`` in its place; exit status 2."""
    lines = [json.dumps(_load("same_account_identity_allow_only"))]
    lines += [json.dumps(c[1]) for c in INVALID]
    batch = tmp_path / "bad.jsonl"
    batch.write_text("\n".join(lines) + "\n")
    proc = _run_cli(batch)
    assert proc.returncode == 2
    outs = [json.loads(x) for x in proc.stdout.splitlines()]
    assert len(outs) == len(lines)
    assert outs[0]["decision"] == "allowed"
    for (_id, _sc, field, _w, _d), out in zip(INVALID, outs[1:], strict=True):
        assert set(out) == {"error"} and field in out["error"], out


def test_cli_single_invalid_file_exit_2(tmp_path: Path) -> None:
    """A single invalid scenario: exit 2, a JSON error object naming the field, no traceback."""
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(INVALID[0][1]))
    proc = _run_cli(path)
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert json.loads(proc.stdout)["error"].startswith(INVALID[0][2])


@pytest.mark.parametrize(
    ("stem", "words"),
    [
        ("scp_missing_allow_at_ou_level", "no SCP at level 1 allows lambda:InvokeFunction"),
        ("rcp_level_without_allow", "no RCP at level 1 allows lambda:InvokeFunction"),
        ("boundary_limits_identity_allow", "boundary"),
        ("session_policy_limits_identity_allow", "session policy"),
        ("resource_policy_role_arn_limited_by_boundary", "boundary"),
        ("cross_account_only_identity_allows", "cross-account"),
    ],
)
def test_implicit_deny_names_the_blocking_layer(stem: str, words: str) -> None:
    """Issue 2: "A denial says which layer blocked (e.g. 'no SCP at level 2 allows
    lambda:InvokeFunction', 'boundary has no Allow')"; the rule itself is on the pages cited in CASES."""
    request, policies = load_scenario(_load(stem))
    out = scenario_result_json(evaluate(request, policies))
    assert out["decision"] == "implicit_deny"
    assert words in out["explanation"]["summary"]
