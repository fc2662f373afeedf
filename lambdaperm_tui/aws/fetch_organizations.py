"""Organizations: the organization id and the SCP/RCP levels (root first) that apply to the account."""

from __future__ import annotations

import botocore.exceptions as bce

from ..inventory.events import OrganizationLoaded
from ..inventory.model import NamedPolicy, PolicySlot
from .fetching import (
    POLICY_READ_ERRORS,
    READ_ERRORS,
    Scheduler,
    error_code,
    field_of,
    optional_of,
    parse_document,
)


class OrganizationFetcher:
    """The account's organization, read in the first Region of the load."""

    def __init__(self, s: Scheduler) -> None:
        self.s = s

    def load(self) -> None:
        """The organization id and the SCP/RCP levels (root first) that apply to this account.

        Not in an organization, or the management account: none apply (``()``), per
        https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps.html
        ("SCPs don't affect users or roles in the management account") and the RCP page likewise.
        Reading the levels needs the management account or a delegated administrator; from a member
        account without that access they stay unknown (None) with a ``Failure``.
        """
        region = self.s.regions[0]
        try:
            response = self.s.call("organizations", region, "DescribeOrganization")
            org = field_of(response, "Organization", dict, "DescribeOrganization")
            org_id = optional_of(org, "Id", str, "DescribeOrganization") or None
            master = optional_of(org, "MasterAccountId", str, "DescribeOrganization")
        except bce.ClientError as exc:
            if error_code(exc) == "AWSOrganizationsNotInUseException":
                self.s.emit(OrganizationLoaded(None, (), ()))
                return
            self.s.fail("organization", "organizations", "DescribeOrganization", exc)
            return
        except READ_ERRORS as exc:
            self.s.fail("organization", "organizations", "DescribeOrganization", exc)
            return
        if master == self.s.account_id:
            self.s.emit(OrganizationLoaded(org_id, (), ()))
            return
        try:
            targets = self._org_targets(region)
        except READ_ERRORS as exc:
            self.s.fail("organization", f"account {self.s.account_id}", "ListParents", exc)
            self.s.emit(OrganizationLoaded(org_id, None, None))
            return
        scps = self._org_levels(region, targets, "SERVICE_CONTROL_POLICY", "scp")
        rcps = self._org_levels(region, targets, "RESOURCE_CONTROL_POLICY", "rcp")
        self.s.emit(OrganizationLoaded(org_id, scps, rcps))

    def _org_targets(self, region: str) -> list[str]:
        """Root, OUs (top down) and the account itself."""
        chain = [str(self.s.account_id)]
        child = str(self.s.account_id)
        for _ in range(10):  # AWS allows at most 5 levels of OUs below the root
            response = self.s.call("organizations", region, "ListParents", ChildId=child)
            parents = field_of(response, "Parents", list, "ListParents")
            if not parents:
                break
            child = field_of(parents[0], "Id", str, "ListParents entry")
            chain.append(child)
            if optional_of(parents[0], "Type", str, "ListParents entry") == "ROOT":
                break
        return list(reversed(chain))

    def _org_levels(
        self, region: str, targets: list[str], policy_type: str, kind: str
    ) -> tuple[tuple[NamedPolicy, ...], ...] | None:
        levels: list[tuple[NamedPolicy, ...]] = []
        try:
            for target in targets:
                level: list[NamedPolicy] = []
                for page in self.s.pages(
                    "organizations",
                    region,
                    "ListPoliciesForTarget",
                    "Policies",
                    "NextToken",
                    "NextToken",
                    TargetId=target,
                    Filter=policy_type,
                ):
                    for summary in page:
                        policy_id = field_of(summary, "Id", str, "ListPoliciesForTarget entry")
                        name = optional_of(summary, "Name", str, "ListPoliciesForTarget entry") or policy_id
                        try:
                            response = self.s.call(
                                "organizations", region, "DescribePolicy", PolicyId=policy_id
                            )
                            policy = field_of(response, "Policy", dict, "DescribePolicy")
                            content = field_of(policy, "Content", str, "DescribePolicy")
                            slot = PolicySlot(document=parse_document(content))
                        except POLICY_READ_ERRORS as exc:
                            slot = PolicySlot(unknown=self.s.fail(kind, name, "DescribePolicy", exc))
                        level.append(NamedPolicy(name=name, slot=slot))
                levels.append(tuple(level))
        except READ_ERRORS as exc:
            self.s.fail(kind, f"account {self.s.account_id}", "ListPoliciesForTarget", exc)
            return None
        return tuple(levels)
