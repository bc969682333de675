"""コンプライアンス状況 / セキュリティ監査結果: a line that is not 準拠 says which check did
not pass and why, in both languages; a check's title (its passing condition) alone read
as the opposite ("一部未確認（PITR の最新復元可能時刻が新しい）")."""

from __future__ import annotations

from datetime import timedelta

from portfolio.checks.base import NO_RESTORE_TEST, NOT_OBSERVED, RESTORE_WINDOW_UNOBSERVABLE
from portfolio.report.render.markdown import render_markdown
from portfolio.report.security import AUDIT, COMPLIANCE, audit, compliance
from portfolio.store.records import CheckRun, Finding, FindingStatus
from tests.report.conftest import SimulatedMonth


def _run(simulated: SimulatedMonth, odd: dict[str, tuple[FindingStatus, str]]) -> CheckRun:
    every = {c for table in (AUDIT, COMPLIANCE) for checks in table.values() for c in checks}
    findings = tuple(
        Finding(check_id=c, status=odd.get(c, (FindingStatus.PASS, ""))[0],
                detail=odd.get(c, (FindingStatus.PASS, ""))[1])
        for c in sorted(every) if c != "sec_access_logging"  # not run
    )  # fmt: skip
    at = simulated.period.start + timedelta(days=20)
    return CheckRun(id="m", kind="monthly", target="local", started_at=at, finished_at=at,
                    findings=findings)  # fmt: skip


def _line(text: str, label: str) -> str:
    return next(x for x in text.splitlines() if x.startswith(f"- **{label}**"))


def test_an_unverified_line_says_what_was_not_verified_and_why(simulated: SimulatedMonth) -> None:
    run = _run(
        simulated,
        {
            "backup_pitr_restorable": (FindingStatus.WARN, RESTORE_WINDOW_UNOBSERVABLE),
            "backup_restore_test": (FindingStatus.WARN, NO_RESTORE_TEST),
            "sec_public_ingress": (FindingStatus.WARN, f"Security group ingress {NOT_OBSERVED}."),
            "encrypt_tables": (FindingStatus.WARN, "Encrypted with an AWS owned key: t."),
        },
    )
    security = simulated.report.security.model_copy(
        update={"compliance": compliance(run), "audit": audit(run)}
    )
    report = simulated.report.model_copy(update={"security": security})
    ja, en = render_markdown(report, "ja"), render_markdown(report, "en")
    assert _line(ja, "データ保護") == (
        "- **データ保護**: 一部未確認（"
        "点検「PITR の最新復元可能時刻が新しい」: このストアでは観測できません。"
        "--target aws で確認できます、"
        "点検「リストアテスト (件数照合)」: 今回の点検でリストアテストを実施していません。"
        "--restore-test で実施できます、"
        "点検「テーブルの暗号化 (KMS)」: 警告（記録: Encrypted with an AWS owned key: t.））"
    )
    assert _line(en, "Data protection") == (
        "- **Data protection**: partly unverified ("
        'check "PITR\'s latest restorable time is recent": not observable on this store;'
        " run with --target aws, "
        'check "Restore test (item counts compared)": no restore test this run;'
        " run with --restore-test, "
        'check "Tables are encrypted with KMS": warning'
        " (recorded: Encrypted with an AWS owned key: t.))"
    )
    assert "月次点検で実行されていません" in _line(ja, "ログ記録")
    assert "not run by the monthly check" in _line(en, "Logging")
    assert "この環境では観測できません" in _line(ja, "アクセス制御")
    assert "not observable on this target" in _line(en, "Access control")
    assert "この環境では観測できません" in _line(ja, "セキュリティグループ")  # the audit's line
    assert "not observable on this target" in _line(en, "Security groups")
    # report.json keeps the reasons as codes beside the titles
    protection = next(c for c in security.compliance if c.id == "data_protection")
    assert protection.failing_reasons == ["restore_window", "no_restore_test", "warn"]
