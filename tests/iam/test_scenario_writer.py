"""The one scenario writer (``iam.scenario.scenario_document``): what it writes, ``load_scenario`` reads
back as the same question, and every proof of an answer over an inventory is written by it.

The contract is the README's "The scenario file" section (``iam/scenario.py`` docstring).
"""

from __future__ import annotations

import json

from lambdaperm_tui.iam.evaluate import evaluate
from lambdaperm_tui.iam.scenario import load_scenario, proof_document, scenario_document

ROLE = "arn:aws:iam::111122223333:role/orders-api"
FN = "arn:aws:lambda:us-east-1:111122223333:function:billing"
ALLOW = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "lambda:InvokeFunction", "Resource": FN}],
}
GUARD = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}],
}


def test_what_is_written_reads_back_as_the_same_question() -> None:
    doc = scenario_document(
        ROLE,
        "lambda:InvokeFunction",
        FN,
        resource_account="111122223333",
        context={"aws:SourceIp": "10.1.2.3", "aws:CalledVia": ("athena.amazonaws.com",)},
        identity_policies=[("exec", ALLOW)],
        permissions_boundary=("boundary", GUARD),
        scps=[[("root-scp", GUARD)]],
        open_context=True,
        closed_keys=["aws:PrincipalTag/"],
    )
    # Plain JSON: a multi-valued key is a list, absent policies null or [].
    assert json.loads(json.dumps(doc)) == doc
    assert doc["context"]["aws:CalledVia"] == ["athena.amazonaws.com"]
    assert doc["session_policy"] is None and doc["rcps"] == [] and doc["resource_policy"] is None
    request, policies = load_scenario(doc)
    assert request.principal.text == ROLE and request.action == "lambda:InvokeFunction"
    assert request.resource == FN and request.resource_account == "111122223333"
    assert request.open_context and request.closed_keys == ("aws:principaltag/",)
    assert [p.name for p in policies.identity] == ["exec"]
    assert policies.boundary is not None and policies.boundary.name == "boundary"
    assert [[p.name for p in level] for level in policies.scps] == [["root-scp"]]
    assert policies.resource is None and policies.session is None


def test_a_closed_scenario_has_no_open_context_fields() -> None:
    doc = scenario_document(ROLE, "lambda:GetFunction", FN, resource_policy=("billing", ALLOW))
    assert "open_context" not in doc and "closed_keys" not in doc
    assert doc["resource_policy"] == {"name": "billing", "document": ALLOW}
    request, policies = load_scenario(doc)
    assert not request.open_context and policies.resource is not None


def test_a_proof_is_the_scenario_over_an_open_context_with_its_decision() -> None:
    doc = scenario_document(ROLE, "lambda:InvokeFunction", FN, identity_policies=[("exec", ALLOW)])
    proof = proof_document(doc)
    assert proof["open_context"] is True and "expected" not in proof
    request, policies = load_scenario(proof)
    decision = evaluate(request, policies, explain=False).decision.value
    final = proof_document(doc, decision)
    assert final["expected"] == decision == "allowed"
    assert load_scenario(final)[0] == request  # "expected" is an annotation: the same question
    assert "open_context" not in doc  # the scenario itself is left as it was
