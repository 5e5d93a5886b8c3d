#!/usr/bin/env python3
"""`reconcile --format focus` against the FOCUS 1.2 specification.

usage: focus_export.py PATH/TO/llmcost   (run from anywhere; inputs are under tests/data)

Checks, on a few exports: every mandatory FOCUS 1.2 column is in the header and
every other column is a FOCUS 1.2 column ID or an x_ custom column; values sit
in the allowed sets; Usage rows carry what FOCUS requires of them and
Adjustment rows are null where it requires null; rounding and discrepancies are
separate adjustment rows; and BilledCost sums exactly (decimal, no float) to the
export's billed total, ListCost to its expected total.
"""
import csv
import io
import json
import os
import subprocess
import sys
from decimal import Decimal

# The mandatory columns of FOCUS 1.2: every specification/columns/*.md at tag
# v1.2 of github.com/FinOps-Open-Cost-and-Usage-Spec/FOCUS_Spec whose content
# constraints say "Feature level | Mandatory" (21 columns).
FOCUS_1_2_MANDATORY = [
    "BilledCost", "BillingAccountId", "BillingAccountName", "BillingCurrency", "BillingPeriodEnd",
    "BillingPeriodStart", "ChargeCategory", "ChargeClass", "ChargeDescription", "ChargePeriodEnd",
    "ChargePeriodStart", "ContractedCost", "EffectiveCost", "InvoiceIssuerName", "ListCost",
    "PricingQuantity", "PricingUnit", "ProviderName", "PublisherName", "ServiceCategory", "ServiceName",
]
# The other column IDs of FOCUS 1.2 (Conditional and Recommended), same source.
FOCUS_1_2_OTHER = [
    "AvailabilityZone", "BillingAccountType", "CapacityReservationId", "CapacityReservationStatus",
    "ChargeFrequency", "CommitmentDiscountCategory", "CommitmentDiscountId", "CommitmentDiscountName",
    "CommitmentDiscountQuantity", "CommitmentDiscountStatus", "CommitmentDiscountType",
    "CommitmentDiscountUnit", "ConsumedQuantity", "ConsumedUnit", "ContractedUnitPrice", "InvoiceId",
    "ListUnitPrice", "PricingCategory", "PricingCurrency", "PricingCurrencyContractedUnitPrice",
    "PricingCurrencyEffectiveCost", "PricingCurrencyListUnitPrice", "RegionId", "RegionName", "ResourceId",
    "ResourceName", "ResourceType", "ServiceSubcategory", "SkuId", "SkuMeter", "SkuPriceDetails", "SkuPriceId",
    "SubAccountId", "SubAccountName", "SubAccountType", "Tags",
]
CHARGE_CATEGORIES = {"Usage", "Purchase", "Tax", "Credit", "Adjustment"}
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.path.abspath(sys.argv[1])
failed = 0


def check(name, ok, detail=""):
    global failed
    if not ok:
        failed += 1
        print(f"FAIL {name}: {detail}")


def run(*args):
    env = dict(os.environ, LLMCOST_CONFIG="/nonexistent/llmcost-config.json")
    return subprocess.run([BIN, "reconcile", *args], capture_output=True, text=True, cwd=ROOT, env=env)


def dec(text):
    return Decimal(text) if text != "" else None


for export in ["tests/data/reconcile-export.csv", "tests/data/usage-small.csv",
               "tests/data/reconcile-invoice-cents.csv", "samples/usage/kyma-chat.jsonl"]:
    focus = run(export, "--format", "focus")
    report = run(export, "--format", "json")
    check(f"{export}: runs", focus.returncode in (0, 1) and focus.returncode == report.returncode,
          f"exit {focus.returncode}: {focus.stderr[:200]}")
    rows = list(csv.DictReader(io.StringIO(focus.stdout)))
    header = next(csv.reader(io.StringIO(focus.stdout)))
    for column in FOCUS_1_2_MANDATORY:
        check(f"{export}: mandatory column {column}", column in header, ",".join(header))
    for column in header:
        check(f"{export}: {column} is a FOCUS 1.2 column or x_ custom",
              column in FOCUS_1_2_MANDATORY or column in FOCUS_1_2_OTHER or column.startswith("x_"))
    check(f"{export}: custom columns last", [c for c in header if c.startswith("x_")] ==
          header[len(header) - len([c for c in header if c.startswith("x_")]):])
    j = json.loads(report.stdout)
    billed = sum((Decimal(r["BilledCost"]) for r in rows), Decimal(0))
    check(f"{export}: BilledCost sums to billed_total", billed == Decimal(j["billed_total"]),
          f"{billed} != {j['billed_total']}")
    effective = sum((Decimal(r["EffectiveCost"]) for r in rows), Decimal(0))
    check(f"{export}: EffectiveCost sums to billed_total", effective == Decimal(j["billed_total"]))
    listed = sum((Decimal(r["ListCost"]) for r in rows), Decimal(0))
    check(f"{export}: ListCost sums to expected_total", listed == Decimal(j["expected_total"]),
          f"{listed} != {j['expected_total']}")
    for r in rows:
        where = f"{export}: {r['SkuId'] or r['ChargeDescription']}"
        check(f"{where}: ChargeCategory", r["ChargeCategory"] in CHARGE_CATEGORIES, r["ChargeCategory"])
        check(f"{where}: ServiceCategory", r["ServiceCategory"] == "AI and Machine Learning")
        check(f"{where}: ChargeClass null (no correction of an earlier period)", r["ChargeClass"] == "")
        for column in ["BillingAccountId", "BillingCurrency", "BillingPeriodStart", "BillingPeriodEnd",
                       "ChargePeriodStart", "ChargePeriodEnd", "InvoiceIssuerName", "ProviderName",
                       "PublisherName", "ServiceName", "ContractedCost"]:
            check(f"{where}: {column} not null", r[column] != "")
        check(f"{where}: billing period holds the charge period",
              r["BillingPeriodStart"] <= r["ChargePeriodStart"] < r["ChargePeriodEnd"] <= r["BillingPeriodEnd"])
        if r["ChargeCategory"] == "Usage":
            for column in ["PricingQuantity", "PricingUnit", "ConsumedQuantity", "ConsumedUnit", "ListUnitPrice",
                           "ContractedUnitPrice", "SkuId", "SkuPriceId"]:
                check(f"{where}: Usage row has {column}", r[column] != "")
            # ListUnitPrice x PricingQuantity = ListCost, exactly.
            check(f"{where}: ListUnitPrice x PricingQuantity = ListCost",
                  Decimal(r["ListUnitPrice"]) * Decimal(r["PricingQuantity"]) == Decimal(r["ListCost"]),
                  f'{r["ListUnitPrice"]} x {r["PricingQuantity"]} != {r["ListCost"]}')
        else:
            for column in ["ConsumedQuantity", "ConsumedUnit", "PricingQuantity", "PricingUnit"]:
                check(f"{where}: Adjustment row has no {column}", r[column] == "")
            check(f"{where}: adjustment says rounding or discrepancy",
                  r["ChargeDescription"].startswith(("rounding:", "discrepancy:")), r["ChargeDescription"])

# The export with both: rounding and each cause are rows of their own.
rows = list(csv.DictReader(io.StringIO(run("tests/data/reconcile-export.csv", "--format", "focus").stdout)))
descriptions = [r["ChargeDescription"] for r in rows if r["ChargeCategory"] == "Adjustment"]
check("a rounding adjustment row", any(d.startswith("rounding:") for d in descriptions), str(descriptions))
check("a discrepancy row per cause",
      {d for d in descriptions if d.startswith("discrepancy:")} >=
      {"discrepancy: web-search fee missing (billed minus the rate card)",
       "discrepancy: cache discount not applied (billed minus the rate card)"}, str(descriptions))
rounding = sum((Decimal(r["BilledCost"]) for r in rows if r["ChargeDescription"].startswith("rounding:")), Decimal(0))
j = json.loads(run("tests/data/reconcile-export.csv", "--format", "json").stdout)
check("rounding rows sum to rounding_total", rounding == Decimal(j["rounding_total"]), f"{rounding}")

print("focus export: " + ("ok" if failed == 0 else f"{failed} failed"))
sys.exit(1 if failed else 0)
