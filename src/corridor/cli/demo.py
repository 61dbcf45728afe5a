"""`corridor demo`: local nodes of fictional agencies, seeded, with their URLs and logins."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from corridor.cli.common import clear_errors, console


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

    network = DemoNetwork(directory.resolve(), nodes=nodes, port=port, reset=reset)
    try:
        started = network.start()
        console.rule("corridor demo")
        for node in started:
            console.print(
                f"[bold]{node.agency.name}[/] ({node.agency.country})  {node.url}/login",
                highlight=False,
            )
            for email, role in node.logins:
                console.print(f"    {email:38} {role}", highlight=False)
            console.print(f"    log: {node.log}", highlight=False)
        console.print(f"\nPassword for every demo account: [bold]{DEMO_PASSWORD}[/]")
        console.print("All people and agencies here are fictional. Ctrl-C stops the demo.")
        network.wait()
        console.print("[red]a demo node stopped; see its log[/]")
    except KeyboardInterrupt:
        console.print("stopping the demo nodes")
    finally:
        network.stop()
