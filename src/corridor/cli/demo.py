"""`corridor demo`: local nodes of fictional agencies, seeded, with their URLs and logins."""

from __future__ import annotations

import signal
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from corridor import i18n
from corridor.cli.common import clear_errors, console
from corridor.i18n import gettext as _


@clear_errors
def demo(
    directory: Annotated[Path, typer.Option("--dir", help="Where the demo nodes live.")] = Path(
        "corridor-demo"
    ),
    nodes: Annotated[
        int, typer.Option(help="How many agencies' nodes to start (peered).", min=1, max=5)
    ] = 3,
    port: Annotated[int, typer.Option(help="Port of the first node; the next ones follow.")] = 8080,
    reset: Annotated[bool, typer.Option(help="Delete the demo data and seed it anew.")] = False,
) -> None:
    """Start demo nodes with synthetic seed data and print their URLs and logins."""
    from corridor.demo.agencies import DEMO_PASSWORD
    from corridor.demo.network import DemoNetwork

    # Ctrl-C stops the demo even when whatever started it ignores SIGINT (a disposition a
    # process inherits: a script's `trap '' INT`, some test runners' workers).
    signal.signal(signal.SIGINT, signal.default_int_handler)
    network = DemoNetwork(directory.resolve(), nodes=nodes, port=port, reset=reset)
    try:
        started = network.start()
        console.rule(_("corridor demo"))
        for node in started:
            console.print(
                f"[bold]{node.agency.name}[/] ({node.agency.country})  {node.url}/login",
                highlight=False,
            )
            for email, role in node.logins:
                console.print(f"    {email:38} {role}", highlight=False)
            log = _("log: %(file)s") % {"file": node.log}
            console.print(f"    {log}", highlight=False, markup=False)
        console.print()
        console.print(
            escape(_("Password for every demo account: %(password)s"))
            % {"password": f"[bold]{escape(DEMO_PASSWORD)}[/]"},
            highlight=False,
        )
        console.print(
            _("All people and agencies here are fictional. Ctrl-C stops the demo."),
            highlight=False,
            markup=False,
        )
        console.print(
            _(
                "Hit/no-hit: on another node, check the phone 0300 5550147 (Pakistan) or the "
                "name محمد آصف خان under Intelligence → Check across the network."
            ),
            highlight=False,
            markup=False,
        )
        console.print(
            _(
                "Risk analysis: sign in to the FIA node as analyst@fia-pk.demo and open "
                "Guidance → Risk analysis (Frontex, IOM and Eurostat data are imported when "
                "../shared/data is there; corridor indicators import FILE --source … adds more)."
            ),
            highlight=False,
            markup=False,
        )
        spoken = ", ".join(i18n.language_name(code) for code in i18n.available())
        console.print(
            _("Pages read in %(languages)s: switch in the page header or on your profile.")
            % {"languages": spoken},
            highlight=False,
            markup=False,
        )
        network.wait()
        stopped = _("a demo node stopped; see its log")
        console.print(f"[red]{escape(stopped)}[/]", highlight=False)
    except KeyboardInterrupt:
        console.print(_("stopping the demo nodes"), highlight=False, markup=False)
    finally:
        network.stop()
