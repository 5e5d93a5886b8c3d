#!/usr/bin/env python3
"""Writes large exports in the shapes of tests/data/real-shapes/ for timing
the export readers (bench/README.md): LiteLLM spend logs (JSONL and one JSON
array), Langfuse observations (JSONL: generations and their spans), Helicone
requests (JSONL), OpenAI Usage API pages (JSONL, a page a line), OpenRouter
generations (JSONL) and the OpenAI dashboard usage CSV. Every id is distinct;
models are Kimi models on the moonshot card. Values are invented; seed 1.
usage: gen_exports.py OUT_DIR [MB_PER_FILE]   (default 80 MB each)"""
import json
import os
import random
import sys

out = sys.argv[1] if len(sys.argv) > 1 else "/tmp/llmcost-exports-bench"
target = int(float(sys.argv[2] if len(sys.argv) > 2 else 80) * 1_000_000)
os.makedirs(out, exist_ok=True)
rng = random.Random(1)
models = ["kimi-k2.6", "kimi-k2.5"]


def iso(seconds):
    day, rest = divmod(seconds, 86400)
    return "2026-03-%02dT%02d:%02d:%02d.%03dZ" % (1 + day % 28, rest // 3600, rest // 60 % 60, rest % 60, rng.randrange(1000))


def usage():
    prompt = rng.randrange(200, 40000)
    cached = rng.randrange(0, prompt // 1024 + 1) * 1024 if rng.random() < 0.6 else 0
    return prompt, min(cached, prompt), rng.randrange(10, 4000)


def write_lines(name, make):
    path = os.path.join(out, name)
    size = 0
    i = 0
    with open(path, "w") as f:
        while size < target:
            line = make(i)
            f.write(line)
            f.write("\n")
            size += len(line) + 1
            i += 1
    print(f"{path}: {i} lines, {size / 1e6:.1f} MB")


def litellm(i):
    prompt, cached, completion = usage()
    t = i * 7
    return json.dumps({
        "request_id": f"chatcmpl-{i:012x}-{rng.getrandbits(48):012x}", "call_type": "acompletion",
        "api_key": "88dc28d0f030c55ed4ab77ed8faf098196cb1c05df778539800c9f1243fe6b4b",
        "spend": round(rng.random() / 100, 8), "total_tokens": prompt + completion, "prompt_tokens": prompt,
        "completion_tokens": completion, "startTime": iso(t), "endTime": iso(t + 3), "completionStartTime": iso(t + 1),
        "model": rng.choice(models), "model_id": "3b1f0e0c2b5d4a4f", "model_group": "kimi", "custom_llm_provider": "moonshot",
        "api_base": "https://api.moonshot.ai/v1", "user": "",
        "metadata": {"user_api_key_alias": "team-a-key", "user_api_key_team_id": "team-a", "additional_usage_values": {},
                     "usage_object": {"prompt_tokens": prompt, "completion_tokens": completion,
                                      "prompt_tokens_details": {"cached_tokens": cached}}},
        "cache_hit": "False", "cache_key": "Cache OFF", "request_tags": ["prod"], "team_id": "team-a", "end_user": "",
        "requester_ip_address": "", "status": "success"}, separators=(",", ":"))


def langfuse(i):
    trace = f"{rng.getrandbits(128):032x}"
    if i % 4 == 3:
        return json.dumps({"id": f"span-{i:012x}", "traceId": trace, "type": "SPAN", "name": "handle", "startTime": iso(i),
                           "endTime": iso(i + 2), "model": None, "usage": {"input": 0, "output": 0, "total": 0, "unit": "TOKENS"},
                           "usageDetails": {}, "costDetails": {}, "calculatedTotalCost": None}, separators=(",", ":"))
    prompt, cached, completion = usage()
    return json.dumps({
        "id": f"gen-{i:012x}", "traceId": trace, "type": "GENERATION", "name": "OpenAI-generation", "startTime": iso(i),
        "endTime": iso(i + 4), "completionStartTime": iso(i + 1), "model": rng.choice(models),
        "modelParameters": {"temperature": "0.6"}, "input": [{"role": "user", "content": "Summarise the ticket."}],
        "output": {"role": "assistant", "content": "Done."}, "metadata": {}, "level": "DEFAULT", "statusMessage": None,
        "parentObservationId": None, "environment": "default", "calculatedTotalCost": round(rng.random() / 100, 8),
        "usage": {"input": prompt - cached, "output": completion, "total": prompt + completion, "unit": "TOKENS"},
        "usageDetails": {"input": prompt - cached, "input_cached_tokens": cached, "output": completion,
                         "total": prompt + completion},
        "promptTokens": prompt - cached, "completionTokens": completion, "totalTokens": prompt + completion},
        separators=(",", ":"))


def helicone(i):
    prompt, cached, completion = usage()
    return json.dumps({
        "response_id": f"{rng.getrandbits(128):032x}", "response_created_at": iso(i + 3), "response_status": 200,
        "request_id": f"{i:08x}-{rng.getrandbits(96):024x}", "request_created_at": iso(i), "request_user_id": "support-bot",
        "request_properties": {"app": "support"}, "request_model": "kimi-k2.6", "provider": "OPENAI", "delay_ms": 1900,
        "total_tokens": prompt + completion, "prompt_tokens": prompt, "prompt_cache_write_tokens": 0,
        "prompt_cache_read_tokens": cached, "completion_tokens": completion, "costUSD": round(rng.random() / 100, 8),
        "country_code": "DE", "scores": {}, "properties": {"app": "support"}, "assets": [],
        "target_url": "https://api.moonshot.ai/v1/chat/completions", "model": rng.choice(models)}, separators=(",", ":"))


def openai_page(i):
    buckets = []
    for b in range(30):
        start = 1772323200 + (i * 30 + b) * 86400 % (365 * 86400)
        results = []
        for m in models:
            prompt, cached, completion = usage()
            results.append({"object": "organization.usage.completions.result", "input_tokens": prompt * 10,
                            "output_tokens": completion * 10, "input_cached_tokens": cached * 10, "input_audio_tokens": 0,
                            "output_audio_tokens": 0, "num_model_requests": 10, "project_id": None, "user_id": None,
                            "api_key_id": None, "model": m, "batch": rng.random() < 0.2})
        buckets.append({"object": "bucket", "start_time": start, "end_time": start + 86400, "results": results})
    return json.dumps({"object": "page", "data": buckets, "has_more": True, "next_page": f"page_{i + 1}"},
                      separators=(",", ":"))


def openrouter(i):
    prompt, cached, completion = usage()
    return json.dumps({"data": {
        "id": f"gen-{1773000000 + i}-{rng.getrandbits(80):020x}", "upstream_id": f"chatcmpl-{rng.getrandbits(64):016x}",
        "total_cost": round(rng.random() / 100, 8), "cache_discount": None, "upstream_inference_cost": None,
        "created_at": iso(i).replace("Z", "+00:00"), "model": "moonshotai/" + rng.choice(models), "streamed": True,
        "cancelled": False, "provider_name": "Moonshot AI", "latency": 1480, "generation_time": 9210,
        "finish_reason": "stop", "tokens_prompt": prompt, "tokens_completion": completion, "native_tokens_prompt": prompt,
        "native_tokens_completion": completion, "native_tokens_reasoning": completion // 3,
        "native_tokens_cached": cached, "usage": 0.001, "is_byok": False, "api_type": "completions"}},
        separators=(",", ":"))


CSV_HEADER = ("start_time,end_time,start_time_iso,end_time_iso,project_id,num_model_requests,user_id,api_key_id,model,batch,"
              "service_tier,input_tokens,output_tokens,input_cached_tokens,input_uncached_tokens,input_text_tokens,"
              "output_text_tokens,input_cached_text_tokens,input_audio_tokens,input_cached_audio_tokens,output_audio_tokens,"
              "input_image_tokens,input_cached_image_tokens,output_image_tokens")


def openai_csv(i):
    if i == 0:
        return CSV_HEADER
    prompt, cached, completion = usage()
    start = 1772323200 + i * 60
    return (f"{start},{start + 60},{iso(i)},{iso(i + 60)},proj_kR4mW8xT2bQ9vL1n,{rng.randrange(1, 40)}.0,user-Zp3sD7fH1kJ6qA0c,"
            f"key_Tn5yB2wE8uC4gX7m,{rng.choice(models)},{'TRUE' if rng.random() < 0.2 else 'FALSE'},default,{prompt}.0,"
            f"{completion}.0,{cached}.0,{prompt - cached}.0,{prompt - cached}.0,{completion}.0,{cached}.0,0.0,0.0,0.0,0.0,0.0,0.0")


write_lines("litellm-spend.jsonl", litellm)
write_lines("langfuse-observations.jsonl", langfuse)
write_lines("helicone-requests.jsonl", helicone)
write_lines("openai-usage-pages.jsonl", openai_page)
write_lines("openrouter-generations.jsonl", openrouter)
write_lines("openai-usage-export.csv", openai_csv)
# The same LiteLLM rows as /spend/logs answers them: one JSON array (read as
# one value, so neither cut into pieces nor streamed).
with open(os.path.join(out, "litellm-spend.jsonl")) as f, open(os.path.join(out, "litellm-spend.json"), "w") as g:
    g.write("[\n")
    first = True
    for line in f:
        g.write(("" if first else ",\n") + line.rstrip("\n"))
        first = False
    g.write("\n]\n")
print(f"{os.path.join(out, 'litellm-spend.json')}: the JSONL's rows as one array")
