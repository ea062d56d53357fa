"""The whole-flow tree (F12 on the run screen), frozen."""

from __future__ import annotations

from test_snapshots import WIDE, run_to

from ehplan.engine import commands as cmd
from ehplan.tui.screens.flow import FlowScreen

TO_CUSTOMER = (cmd.SetField("incident_location", "Zhongshan Road 12"), cmd.Continue(), cmd.Choose("customer"))


class TestFlowTree:
    """The gas-accident flow in the middle of a run: its title and the legend;
    steps 1 and 2 ticked ✓; under step 2 the branch taken (● Residential or
    commercial-industrial customer, bold) and the two not taken (○, dim); the
    cursor on ▶ 8 (the current step); steps reached again shown as ↑ 14; the
    footer with Esc to go back."""

    def test_in_a_run(self, snap_compare, make_app, shipped_library, tmp_path):  # type: ignore[no-untyped-def]
        before = run_to(*TO_CUSTOMER, playbook="gas_accident_report")

        async def open_flow(pilot):  # type: ignore[no-untyped-def]
            await before(pilot)
            await pilot.press("ctrl+g")
            await pilot.pause()
            assert isinstance(pilot.app.screen, FlowScreen)

        assert snap_compare(make_app(tmp_path, library=shipped_library, lang="en"), terminal_size=WIDE,
                            run_before=open_flow)
