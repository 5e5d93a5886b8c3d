# A generated ~/.codex home for timing the Codex reader: N sessions, each a
# rollout of turns (user message, turn_context, a function call and its
# output, and each call's token_count written twice: the call and its
# re-emit). Seed 1. Usage: gen_codex.py DIR/.codex SESSIONS TOTAL_BYTES
import json, os, random, sys
root, sessions, target = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
random.seed(1)
per = target // sessions
calls = 0
for s in range(sessions):
    sid = "0196%04x-0000-7000-8000-%012x" % (s, s)
    d = os.path.join(root, "sessions", "2026", "05", "%02d" % (s % 28 + 1))
    os.makedirs(d, exist_ok=True)
    out = []
    size = 0
    def put(o):
        global size
        line = json.dumps(o, separators=(",", ":")) + "\n"
        out.append(line); size += len(line)
    put({"timestamp":"2026-05-01T09:00:00.000Z","type":"session_meta","payload":{"id":sid,"timestamp":"2026-05-01T09:00:00.000Z","cwd":"/srv/p","originator":"codex_cli_rs","cli_version":"0.128.0","source":"cli","model_provider":"openai"}})
    tot = [0, 0, 0, 0]
    t = 0
    while size < per:
        t += 1
        ts = "2026-05-01T%02d:%02d:%02d.000Z" % (9 + t // 3600 % 12, t // 60 % 60, t % 60)
        put({"timestamp":ts,"type":"response_item","payload":{"type":"message","role":"user","content":[{"type":"input_text","text":"x" * random.randint(40, 400)}]}})
        put({"timestamp":ts,"type":"turn_context","payload":{"cwd":"/srv/p","approval_policy":"on-request","sandbox_policy":{"type":"workspace-write"},"model":"gpt-5-codex","effort":"medium","summary":"auto"}})
        put({"timestamp":ts,"type":"response_item","payload":{"type":"function_call","name":"shell","arguments":"{\"command\":[\"ls\"]}","call_id":"call_%d" % t}})
        put({"timestamp":ts,"type":"response_item","payload":{"type":"function_call_output","call_id":"call_%d" % t,"output":"y" * random.randint(100, 1500)}})
        i = random.randint(5000, 90000); c = random.randint(0, i); o = random.randint(50, 3000); r = random.randint(0, o)
        tot = [tot[0] + i, tot[1] + c, tot[2] + o, tot[3] + r]
        def u(a): return {"input_tokens":a[0],"cached_input_tokens":a[1],"output_tokens":a[2],"reasoning_output_tokens":a[3],"total_tokens":a[0]+a[2]}
        tc = {"timestamp":ts,"type":"event_msg","payload":{"type":"token_count","info":{"total_token_usage":u(tot),"last_token_usage":u([i,c,o,r]),"model_context_window":272000},"rate_limits":{"primary":{"used_percent":4.0,"window_minutes":300,"resets_in_seconds":15400}}}}
        put(tc); put(tc)
        calls += 1
    open(os.path.join(d, "rollout-2026-05-01T09-00-00-%s.jsonl" % sid), "w").write("".join(out))
print(calls, "calls")
