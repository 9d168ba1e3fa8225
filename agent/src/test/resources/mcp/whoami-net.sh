#!/bin/bash
# A tiny stdio MCP server for tests, using only what the agent's base image has (bash, sed, coreutils).
# It offers one tool, whoami_net, which answers a marker and whether this process can reach the network.
# FAKE_MCP_MODE changes how it misbehaves: "hang-on-call" never answers tools/call,
# "die-on-call" exits instead, "env-on-call" answers the names of its environment variables.
mode="${FAKE_MCP_MODE:-normal}"
while IFS= read -r line; do
    # the request id: the client writes "jsonrpc" then "id" first, so the first "id" is the request's
    id=$(printf '%s' "$line" | sed -n 's/^[^:]*:"2.0","id":\([0-9][0-9]*\).*$/\1/p')
    case "$line" in
        *'"method":"initialize"'*)
            printf '{"jsonrpc":"2.0","id":%s,"result":{"protocolVersion":"2025-06-18","capabilities":{"tools":{}},"serverInfo":{"name":"whoami-net","version":"1"}}}\n' "$id" ;;
        *'"method":"notifications/initialized"'*) ;;
        *'"method":"tools/list"'*)
            printf '{"jsonrpc":"2.0","id":%s,"result":{"tools":[{"name":"whoami_net","description":"Says who answers and whether it can reach the network.","inputSchema":{"type":"object","properties":{}}}]}}\n' "$id" ;;
        *'"method":"tools/call"'*)
            case "$mode" in
                hang-on-call) continue ;;
                die-on-call) exit 3 ;;
                env-on-call)
                    names=$(env | cut -d= -f1 | sort | tr '\n' ' ')
                    printf '{"jsonrpc":"2.0","id":%s,"result":{"content":[{"type":"text","text":"%s"}]}}\n' "$id" "$names"
                    continue ;;
            esac
            if timeout 3 bash -c 'exec 3<>/dev/tcp/1.1.1.1/53' 2>/dev/null; then net=reachable; else net=unreachable; fi
            interfaces=$(ls /sys/class/net 2>/dev/null | tr '\n' ' ' | sed 's/ *$//')
            printf '{"jsonrpc":"2.0","id":%s,"result":{"content":[{"type":"text","text":"MCP-MARKER-5e1f network=%s interfaces=%s"}],"isError":false}}\n' "$id" "$net" "$interfaces" ;;
        *'"id":'*)
            printf '{"jsonrpc":"2.0","id":%s,"error":{"code":-32601,"message":"method not found"}}\n' "$id" ;;
    esac
done
