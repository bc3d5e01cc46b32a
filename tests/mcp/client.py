"""A real MCP client for the tests: the official Python SDK (`mcp` on PyPI).

Usage: python3 client.py CALLS.json -- COMMAND [ARGS...]

Starts COMMAND as an MCP server over stdio, lists its tools, makes each
call of CALLS.json (a list of {"name": ..., "arguments": {...}}), and
prints one JSON object: {"tools": [names], "results": [{"is_error",
"structured", "text"}, ...]}, the results in the order of the calls.
"""

import asyncio
import json
import sys

from mcp import ClientSession, StdioServerParameters
from mcp.client.stdio import stdio_client


async def main(calls, command):
    server = StdioServerParameters(command=command[0], args=command[1:])
    async with stdio_client(server) as (read, write):
        async with ClientSession(read, write) as session:
            await session.initialize()
            listed = await session.list_tools()
            results = []
            for call in calls:
                result = await session.call_tool(call["name"], call.get("arguments", {}))
                text = "".join(
                    block.text for block in result.content if getattr(block, "type", "") == "text"
                )
                results.append(
                    {
                        "is_error": bool(result.is_error),
                        "structured": result.structured_content,
                        "text": text,
                    }
                )
            tools = [
                {
                    "name": tool.name,
                    "read_only": bool(tool.annotations and tool.annotations.read_only_hint),
                    "schema": tool.input_schema,
                }
                for tool in listed.tools
            ]
            print(json.dumps({"tools": tools, "results": results}))


if __name__ == "__main__":
    split = sys.argv.index("--")
    with open(sys.argv[1]) as f:
        calls = json.load(f)
    asyncio.run(main(calls, sys.argv[split + 1 :]))
