// Pricing rules (SPEC.md "Pricing rules"), exercised through estimate_workloads
// with the bundled cards. Every expected amount is worked out by hand from the
// seeds' prices; the arithmetic is in the comments.

#include "llmcost/catalog.hpp"
#include "llmcost/estimate.hpp"
#include "llmcost/pricing.hpp"
#include "llmcost/usage.hpp"

#include "unit_support.hpp"

#include <doctest/doctest.h>

#include <optional>
#include <string>
#include <vector>

using namespace llmcost;
using llmcost::test::bundled;
using llmcost::test::chat;
using llmcost::test::contains;
using llmcost::test::dec;
using llmcost::test::error_of;
using llmcost::test::estimate;

namespace {

Workload media(const std::string& model, std::string_view requests)
{
  Workload w;
  w.name = "media";
  w.model = model;
  w.requests = dec(requests);
  return w;
}

// The single row of a one-workload estimate.
ReportRow row_of(const Workload& w)
{
  const Report report = estimate({w});
  REQUIRE(report.rows.size() == 1);
  return report.rows[0];
}

Decimal total_of(const Workload& w)
{
  return row_of(w).cost.total();
}

std::string estimate_error(const Workload& w)
{
  return error_of([&] { estimate({w}); });
}

bool any_note_contains(const Report& report, std::string_view part)
{
  for (const auto& note : report.notes) {
    if (contains(note, part)) {
      return true;
    }
  }
  return false;
}

} // namespace

TEST_SUITE("llmcost/pricing")
{
  TEST_CASE("seed 003: customer support chatbot, 100,000 messages x 1,000 in / 300 out")
  {
    // 100,000 x 1,000 = 100M input tokens; 100,000 x 300 = 30M output tokens.
    const Report report = estimate({chat("k2.5", "moonshot/kimi-k2.5", "100000", "1000", "300"),
                                    chat("k2.6", "moonshot/kimi-k2.6", "100000", "1000", "300"),
                                    chat("k2.7", "moonshot/kimi-k2.7-code", "100000", "1000", "300")});
    REQUIRE(report.rows.size() == 3);
    const ReportRow& k25 = report.rows[0];
    CHECK(k25.keys == std::vector<std::string>{"k2.5", "moonshot", "kimi-k2.5"});
    CHECK(k25.usage.requests == dec("100000"));
    CHECK(k25.usage.input == dec("100000000"));
    CHECK(k25.usage.output == dec("30000000"));
    // K2.5: 100 x $0.60 = $60.00; 30 x $3.00 = $90.00; $150.00.
    CHECK(k25.cost.input == dec("60"));
    CHECK(k25.cost.output == dec("90"));
    CHECK(k25.cost.cached_input.is_zero());
    CHECK(k25.cost.fees.is_zero());
    CHECK(k25.cost.total() == dec("150"));
    CHECK(k25.cost.total().to_string(2) == "150.00");
    // K2.6 and K2.7 Code: 100 x $0.95 = $95.00; 30 x $4.00 = $120.00; $215.00.
    for (const ReportRow* row : {&report.rows[1], &report.rows[2]}) {
      CAPTURE(row->keys[2]);
      CHECK(row->cost.input == dec("95"));
      CHECK(row->cost.output == dec("120"));
      CHECK(row->cost.total() == dec("215"));
      CHECK(row->cost.total().to_string(2) == "215.00");
    }
    // 150 + 215 + 215 = 580, and the total is the exact sum of the rows.
    CHECK(report.total_cost.total() == dec("580"));
    CHECK(report.total_usage.requests == dec("300000"));
    CHECK(report.period == "month");
  }

  TEST_CASE("seed 003: summarizing 100 PDFs, 10,000 in / 500 out each")
  {
    // 1M input, 50,000 output. K2.6: 1 x 0.95 = 0.95; 0.05 x 4.00 = 0.20; 1.15.
    const ReportRow k26 = row_of(chat("pdfs", "moonshot/kimi-k2.6", "100", "10000", "500"));
    CHECK(k26.cost.input == dec("0.95"));
    CHECK(k26.cost.output == dec("0.20"));
    CHECK(k26.cost.total() == dec("1.15"));
    // K2.5: 1 x 0.60 = 0.60; 0.05 x 3.00 = 0.15; 0.75.
    const ReportRow k25 = row_of(chat("pdfs", "moonshot/kimi-k2.5", "100", "10000", "500"));
    CHECK(k25.cost.input == dec("0.60"));
    CHECK(k25.cost.output == dec("0.15"));
    CHECK(k25.cost.total() == dec("0.75"));
  }

  TEST_CASE("seed 003: daily content, 20 a day for 30 days, 500 in / 1,500 out")
  {
    // 600 requests: 300,000 input, 900,000 output.
    // K2.6: 0.3 x 0.95 = 0.285; 0.9 x 4.00 = 3.60; exactly 3.885. The seed
    // says "about $0.29 ... $3.60, roughly $3.89" (it rounds 0.285 up and adds
    // the rounded parts); half-to-even display of 3.885 is 3.88 (8 is even).
    const ReportRow k26 = row_of(chat("content", "moonshot/kimi-k2.6", "600", "500", "1500"));
    CHECK(k26.cost.input == dec("0.285"));
    CHECK(k26.cost.output == dec("3.60"));
    CHECK(k26.cost.total() == dec("3.885"));
    CHECK(k26.cost.total().to_exact_string() == "3.885");
    CHECK(k26.cost.total().to_string(2) == "3.88");
    // K2.5: 0.3 x 0.60 = 0.18; 0.9 x 3.00 = 2.70; 2.88.
    const ReportRow k25 = row_of(chat("content", "moonshot/kimi-k2.5", "600", "500", "1500"));
    CHECK(k25.cost.input == dec("0.18"));
    CHECK(k25.cost.output == dec("2.70"));
    CHECK(k25.cost.total() == dec("2.88"));
  }

  TEST_CASE("seed 003: 500 users x 30 messages on K2.6")
  {
    // 15,000 requests: 15M input x 0.95 = 14.25; 4.5M output x 4.00 = 18.00; 32.25.
    const ReportRow row = row_of(chat("puter", "moonshot/kimi-k2.6", "15000", "1000", "300"));
    CHECK(row.usage.input == dec("15000000"));
    CHECK(row.usage.output == dec("4500000"));
    CHECK(row.cost.input == dec("14.25"));
    CHECK(row.cost.output == dec("18.00"));
    CHECK(row.cost.total() == dec("32.25"));
  }

  TEST_CASE("batch: K2.6's published batch prices")
  {
    // 1M input x 0.57 + 1M output x 2.40 = 2.97.
    Workload w = chat("batch", "moonshot/kimi-k2.6", "1", "1000000", "1000000");
    w.batch_share = dec("1");
    const ReportRow row = row_of(w);
    CHECK(row.cost.input == dec("0.57"));
    CHECK(row.cost.output == dec("2.40"));
    CHECK(row.cost.total() == dec("2.97"));

    // Batch cache hit at 0.10: 2M input of which 1M cached, 1M output:
    // 1 x 0.57 + 1 x 0.10 + 1 x 2.40 = 3.07.
    Workload cached = chat("batch", "moonshot/kimi-k2.6", "1", "2000000", "1000000");
    cached.cached_input_tokens = dec("1000000");
    cached.batch_share = dec("1");
    const ReportRow cached_row = row_of(cached);
    CHECK(cached_row.cost.cached_input == dec("0.10"));
    CHECK(cached_row.cost.total() == dec("3.07"));

    // Half the requests in batch: one standard (0.95 + 4.00 = 4.95) and one
    // batch (2.97) request: 7.92.
    Workload half = chat("half", "moonshot/kimi-k2.6", "2", "1000000", "1000000");
    half.batch_share = dec("0.5");
    CHECK(total_of(half) == dec("7.92"));
  }

  TEST_CASE("batch: refused on every Moonshot model without a published batch price")
  {
    // Seed 003 publishes batch prices for K2.6 and K2.5 only; the Batch API
    // serves no other model, so no discount is assumed for the rest.
    const Card* moonshot = bundled().find_card("moonshot");
    REQUIRE(moonshot != nullptr);
    int refused = 0;
    for (const auto& model : moonshot->models) {
      CAPTURE(model.id);
      Workload w = chat("b", "moonshot/" + model.id, "1", "1000000", "1000000");
      w.batch_share = dec("1");
      if (model.id == "kimi-k2.6" || model.id == "kimi-k2.5") {
        CHECK_NOTHROW(estimate({w}));
        continue;
      }
      const std::string error = estimate_error(w);
      CHECK(contains(error, "moonshot/" + model.id + " has no batch price"));
      CHECK(contains(error, "serves kimi-k2.6 and kimi-k2.5 (seed-003-kimi-pricing-guide)"));
      ++refused;
    }
    CHECK(refused == static_cast<int>(moonshot->models.size()) - 2);
  }

  TEST_CASE("batch on any Kyma model is an error naming the route")
  {
    const Card* kyma = bundled().find_card("kyma");
    REQUIRE(kyma != nullptr);
    for (const auto& model : kyma->models) {
      CAPTURE(model.id);
      Workload w = media("kyma/" + model.id, "10");
      if (model.kind == ModelKind::chat) {
        w.input_tokens = dec("1000");
        w.output_tokens = dec("100");
      } else {
        w.images = dec("1");
        w.image_quality = "high";
        w.image_size = "1MP";
        w.video_seconds = dec("5");
        w.audio_minutes = dec("1");
        w.tts_characters = dec("1000");
        w.songs = dec("1");
        w.music_seconds = dec("10");
      }
      w.batch_share = dec("1");
      CHECK(contains(estimate_error(w), "kyma"));
      // The same workload without batch is priced (except the "varies" model).
      w.batch_share = Decimal{};
      const bool varies = model.current().media && model.current().media->varies;
      if (!varies) {
        CHECK_NOTHROW(estimate({w}));
      }
    }
  }

  TEST_CASE("cache: cached tokens are part of input and never counted twice")
  {
    // moonshot/kimi-k2.5, 2,000 requests x 3,000 in (1,000 cached) x 400 out:
    // uncached 2,000 x 2,000 = 4M x 0.60 = 2.40; cached 2M x 0.10 = 0.20;
    // output 800,000 x 3.00 = 2.40; total 5.00.
    Workload w = chat("cache", "moonshot/kimi-k2.5", "2000", "3000", "400");
    w.cached_input_tokens = dec("1000");
    const ReportRow row = row_of(w);
    CHECK(row.usage.input == dec("4000000"));
    CHECK(row.usage.cached_input == dec("2000000"));
    CHECK(row.usage.output == dec("800000"));
    CHECK(row.cost.input == dec("2.40"));
    CHECK(row.cost.cached_input == dec("0.20"));
    CHECK(row.cost.output == dec("2.40"));
    CHECK(row.cost.total() == dec("5.00"));
    CHECK(row.cost.total().to_string(2) == "5.00");
  }

  TEST_CASE("cache: cache_hit_rate is a share of input")
  {
    // K2.6, 1,000 requests x 1,000 in, rate 0.8: 800 cached + 200 uncached per
    // request. 800,000 x 0.16 = 0.128; 200,000 x 0.95 = 0.19; total 0.318.
    Workload w = chat("rate", "moonshot/kimi-k2.6", "1000", "1000", "0");
    w.cache_hit_rate = dec("0.8");
    const ReportRow row = row_of(w);
    CHECK(row.usage.cached_input == dec("800000"));
    CHECK(row.usage.input == dec("200000"));
    CHECK(row.cost.cached_input == dec("0.128"));
    CHECK(row.cost.input == dec("0.19"));
    CHECK(row.cost.total() == dec("0.318"));
  }

  TEST_CASE("cache: no cached price bills cached tokens at the input price, and says so")
  {
    // kyma/kimi-k2.6 lists input 1.28, no cached price. 1,000 x 1,000 in, half
    // cached: 500,000 x 1.28 = 0.64 uncached + 500,000 x 1.28 = 0.64 cached.
    Workload w = chat("kyma", "kyma/kimi-k2.6", "1000", "1000", "0");
    w.cached_input_tokens = dec("500");
    const Report report = estimate({w});
    REQUIRE(report.rows.size() == 1);
    const ReportRow& row = report.rows[0];
    CHECK(row.cost.input == dec("0.64"));
    CHECK(row.cost.cached_input == dec("0.64"));
    CHECK(row.cost.total() == dec("1.28"));
    CHECK((row.notes & k_note_cached_at_input) != 0U);
    CHECK(any_note_contains(report, "kyma/kimi-k2.6"));
    CHECK(any_note_contains(report, "input price"));

    // Without cached tokens there is nothing to say.
    const ReportRow plain = row_of(chat("kyma", "kyma/kimi-k2.6", "1000", "1000", "0"));
    CHECK((plain.notes & k_note_cached_at_input) == 0U);
    CHECK(plain.cost.total() == dec("1.28"));
  }

  TEST_CASE("sonar: a flat web-search fee on every request")
  {
    // 1,000 requests x 100 in / 100 out: 100,000 x 1.35 = 0.135 each way;
    // fees 1,000 x 0.00675 = 6.75; total 7.02.
    const Report report = estimate({chat("sonar", "kyma/sonar", "1000", "100", "100")});
    REQUIRE(report.rows.size() == 1);
    const ReportRow& row = report.rows[0];
    CHECK(row.cost.input == dec("0.135"));
    CHECK(row.cost.output == dec("0.135"));
    CHECK(row.cost.fees == dec("6.75"));
    CHECK(row.cost.total() == dec("7.02"));
    CHECK((row.notes & k_note_request_fee) != 0U);
    CHECK(any_note_contains(report, "0.00675"));

    // SPEC: web_search_calls is "1 for sonar"; the per-request fee is not doubled.
    Workload with_calls = chat("sonar", "kyma/sonar", "1000", "100", "100");
    with_calls.web_search_calls = dec("1");
    CHECK(row_of(with_calls).cost.fees == dec("6.75"));
  }

  TEST_CASE("moonshot $web_search: a fee per call, and result tokens billed as input")
  {
    // K2.6, 1,000 requests x 1,000 in, 1 call each returning 2,000 tokens:
    // input (1,000 + 2,000) x 1,000 = 3M x 0.95 = 2.85; fees 1,000 x 0.005 = 5.00.
    Workload w = chat("search", "moonshot/kimi-k2.6", "1000", "1000", "0");
    w.web_search_calls = dec("1");
    w.search_result_tokens = dec("2000");
    const ReportRow row = row_of(w);
    CHECK(row.usage.web_search_calls == dec("1000"));
    CHECK(row.usage.input == dec("3000000"));
    CHECK(row.cost.fees == dec("5.00"));
    CHECK(row.cost.input == dec("2.85"));
    CHECK(row.cost.total() == dec("7.85"));
    CHECK((row.notes & k_note_search_fee) != 0U);

    // Fee alone: 1,000 x 1 x 0.005 = 5.00.
    Workload fee_only = chat("search", "moonshot/kimi-k2.6", "1000", "0", "0");
    fee_only.web_search_calls = dec("1");
    CHECK(total_of(fee_only) == dec("5.00"));

    // Kyma lists no per-call tool price for its other chat models.
    Workload kyma = chat("search", "kyma/kimi-k2.6", "1000", "1000", "0");
    kyma.web_search_calls = dec("1");
    CHECK(contains(estimate_error(kyma), "kyma"));
  }

  TEST_CASE("images: quality and size tiers, n images per request")
  {
    // gpt-image-2 high: 10 requests x 4 images = 40 x 0.297 = 11.88.
    Workload high = media("kyma/gpt-image-2", "10");
    high.images = dec("4");
    high.image_quality = "high";
    const ReportRow row = row_of(high);
    CHECK(row.usage.media_units == dec("40"));
    CHECK(row.cost.media == dec("11.88"));
    CHECK(row.cost.total() == dec("11.88"));

    // Low, one image per request by default: 10 x 0.014 = 0.14.
    Workload low = media("kyma/gpt-image-2", "10");
    low.image_quality = "low";
    CHECK(total_of(low) == dec("0.14"));

    // flux-2-pro at 4MP: 10 requests x 2 images = 20 x 0.101 = 2.02.
    Workload flux = media("kyma/flux-2-pro", "10");
    flux.images = dec("2");
    flux.image_size = "4MP";
    CHECK(total_of(flux) == dec("2.02"));
    // 1MP: 20 x 0.041 = 0.82.
    flux.image_size = "1MP";
    CHECK(total_of(flux) == dec("0.82"));

    // An untiered image model: imagen-4, 3 x 0.054 = 0.162.
    Workload imagen = media("kyma/imagen-4", "3");
    CHECK(total_of(imagen) == dec("0.162"));
  }

  TEST_CASE("images: a tiered model needs its tier")
  {
    Workload missing = media("kyma/gpt-image-2", "10");
    missing.images = dec("4");
    const std::string error = estimate_error(missing);
    CHECK(contains(error, "image_quality"));
    CHECK(contains(error, "low"));

    Workload unknown = media("kyma/gpt-image-2", "10");
    unknown.image_quality = "ultra";
    CHECK(contains(estimate_error(unknown), "ultra"));

    Workload flux = media("kyma/flux-2-pro", "1");
    CHECK(contains(estimate_error(flux), "image_size"));
  }

  TEST_CASE("video: per second with a 5 s default, or flat per call")
  {
    // kling-2.5-pro, no video_seconds: 5 x 0.0945 = 0.4725 a request; x 10 = 4.725.
    const Report report = estimate({media("kyma/kling-2.5-pro", "10")});
    REQUIRE(report.rows.size() == 1);
    CHECK(report.rows[0].usage.media_units == dec("50"));
    CHECK(report.rows[0].cost.media == dec("4.725"));
    CHECK(any_note_contains(report, "5 s"));
    CHECK(total_of(media("kyma/kling-2.5-pro", "1")) == dec("0.4725"));

    // 8 s: 10 x 8 x 0.0945 = 7.56.
    Workload eight = media("kyma/kling-2.5-pro", "10");
    eight.video_seconds = dec("8");
    CHECK(total_of(eight) == dec("7.56"));

    // Hailuo bills flat per call: 10 x 0.420 = 4.20 whatever the duration.
    Workload hailuo = media("kyma/hailuo-02-768p", "10");
    hailuo.video_seconds = dec("10");
    CHECK(total_of(hailuo) == dec("4.20"));
    CHECK(total_of(media("kyma/hailuo-02-768p", "10")) == dec("4.20"));
  }

  TEST_CASE("audio: minutes with a 1-minute minimum per request")
  {
    // whisper-v3-turbo, 0.5 min billed as 1: 100 x 1 x 0.0009 = 0.09.
    Workload half = media("kyma/whisper-v3-turbo", "100");
    half.audio_minutes = dec("0.5");
    const Report report = estimate({half});
    REQUIRE(report.rows.size() == 1);
    CHECK(report.rows[0].usage.media_units == dec("100"));
    CHECK(report.rows[0].cost.media == dec("0.09"));
    // Above the minimum: 100 x 2.5 x 0.0009 = 0.225.
    Workload longer = media("kyma/whisper-v3-turbo", "100");
    longer.audio_minutes = dec("2.5");
    CHECK(total_of(longer) == dec("0.225"));
    // The "transcribe" alias is the same model.
    Workload alias = media("transcribe", "100");
    alias.audio_minutes = dec("0.5");
    CHECK(total_of(alias) == dec("0.09"));
    // No minimum on gemini-3-flash-audio: 100 x 0.5 x 0.0006 = 0.03.
    Workload gemini = media("kyma/gemini-3-flash-audio", "100");
    gemini.audio_minutes = dec("0.5");
    CHECK(total_of(gemini) == dec("0.03"));
    // audio_minutes is required.
    CHECK(contains(estimate_error(media("kyma/whisper-v3-turbo", "100")), "audio_minutes"));
  }

  TEST_CASE("tts: per 1,000 characters")
  {
    // minimax-speech-hd, 10,000 characters: 10 x 0.140 = 1.40.
    Workload hd = media("kyma/minimax-speech-hd", "1");
    hd.tts_characters = dec("10000");
    CHECK(total_of(hd) == dec("1.40"));
    // 250 characters x 4 requests = 1,000 characters: 0.140.
    Workload short_texts = media("kyma/minimax-speech-hd", "4");
    short_texts.tts_characters = dec("250");
    CHECK(total_of(short_texts) == dec("0.140"));
  }

  TEST_CASE("approximate prices are flagged")
  {
    // eleven-flash-v2-5 "~$0.0945" per 1k characters: 1,000 characters = 0.0945.
    Workload w = media("kyma/eleven-flash-v2-5", "1");
    w.tts_characters = dec("1000");
    const Report report = estimate({w});
    REQUIRE(report.rows.size() == 1);
    CHECK(report.rows[0].cost.media == dec("0.0945"));
    CHECK((report.rows[0].notes & k_note_approximate) != 0U);
    CHECK(any_note_contains(report, "approximate"));
    // An exact price is not flagged.
    Workload exact = media("kyma/minimax-speech-hd", "1");
    exact.tts_characters = dec("1000");
    CHECK((row_of(exact).notes & k_note_approximate) == 0U);
  }

  TEST_CASE("songs, music seconds, voices and generations")
  {
    // minimax-music: 3 requests, 1 song each by default: 3 x 0.045 = 0.135.
    CHECK(total_of(media("kyma/minimax-music", "3")) == dec("0.135"));
    // elevenlabs-music: 30 s x 0.135 = 4.05.
    Workload music = media("kyma/elevenlabs-music", "1");
    music.music_seconds = dec("30");
    CHECK(total_of(music) == dec("4.05"));
    // minimax-voice-clone: 2 voices x 2.10 = 4.20.
    Workload voices = media("kyma/minimax-voice-clone", "2");
    CHECK(total_of(voices) == dec("4.20"));
    // elevenlabs-sfx: 2 generations x ~0.027 = 0.054, approximate.
    Workload sfx = media("kyma/elevenlabs-sfx", "1");
    sfx.generations = dec("2");
    const ReportRow row = row_of(sfx);
    CHECK(row.cost.total() == dec("0.054"));
    CHECK((row.notes & k_note_approximate) != 0U);
  }

  TEST_CASE("a \"varies\" price is never estimated")
  {
    Workload w = media("kyma/gemini-2.5-flash-native-audio-preview-12-2025", "10");
    w.audio_minutes = dec("1");
    CHECK(contains(estimate_error(w), "varies"));
  }

  TEST_CASE("a media model takes no tokens")
  {
    Workload w = media("kyma/gpt-image-2", "1");
    w.image_quality = "low";
    w.input_tokens = dec("100");
    CHECK(contains(estimate_error(w), "gpt-image-2"));
  }

  TEST_CASE("seed 000 'typical request' costs lie between all-input and all-output pricing")
  {
    // For each row of seed 000's table: N tokens (in+out), stated cost C.
    // All N priced at input, and all N priced at output (per 1M tokens):
    //   glm-4.7-flash      500 x 0.08 = 0.00004    500 x 0.54 = 0.00027   C ~0.0001
    //   gemma-4-31b       1000 x 0.19 = 0.00019   1000 x 0.54 = 0.00054   C ~0.0003
    //   qwen-3-32b        3000 x 0.39 = 0.00117   3000 x 0.81 = 0.00243   C ~0.001
    //   gemini-2.5-flash 10000 x 0.41 = 0.0041   10000 x 3.38 = 0.0338    C ~0.005
    //   deepseek-r1       5000 x 0.68 = 0.0034    5000 x 2.90 = 0.0145    C ~0.005
    //   glm-5.1           8000 x 1.89 = 0.01512   8000 x 5.94 = 0.04752   C ~0.013
    // The seed's "~" figures are loose (qwen and glm-5.1 are below their
    // all-input price), so the check is 0.5 x all-input <= C <= 2 x all-output.
    struct Row
    {
      const char* model;
      const char* tokens;
      const char* stated;
      const char* all_input;
      const char* all_output;
    };
    const Row rows[] = {
        {"glm-4.7-flash", "500", "0.0001", "0.00004", "0.00027"},
        {"gemma-4-31b", "1000", "0.0003", "0.00019", "0.00054"},
        {"qwen-3-32b", "3000", "0.001", "0.00117", "0.00243"},
        {"gemini-2.5-flash", "10000", "0.005", "0.0041", "0.0338"},
        {"deepseek-r1", "5000", "0.005", "0.0034", "0.0145"},
        {"glm-5.1", "8000", "0.013", "0.01512", "0.04752"},
    };
    for (const Row& r : rows) {
      CAPTURE(r.model);
      const std::string model = std::string("kyma/") + r.model;
      const Decimal all_input = total_of(chat("typical", model, "1", r.tokens, "0"));
      const Decimal all_output = total_of(chat("typical", model, "1", "0", r.tokens));
      CHECK(all_input == dec(r.all_input));
      CHECK(all_output == dec(r.all_output));
      const Decimal stated = dec(r.stated);
      CHECK(all_input.mul(dec("0.5")) <= stated);
      CHECK(stated <= all_output.mul(dec("2")));
    }
  }

  TEST_CASE("workloads in different periods convert exactly")
  {
    // 12 a day, reported per month (365/12 days): 12 x 365 / 12 = 365 requests.
    Workload daily = chat("daily", "moonshot/kimi-k2.6", "12", "1000", "0");
    daily.period = Period::day;
    const Report per_month = estimate({daily}, Period::month);
    REQUIRE(per_month.rows.size() == 1);
    CHECK(per_month.period == "month");
    CHECK(per_month.rows[0].usage.requests == dec("365"));
    // 365 x 1,000 = 365,000 x 0.95 / 1M = 0.34675.
    CHECK(per_month.rows[0].cost.total() == dec("0.34675"));

    // Mixed periods with no --period: everything per month, and a note says so.
    Workload monthly = chat("monthly", "moonshot/kimi-k2.6", "100", "1000", "0");
    const Report mixed = estimate({daily, monthly});
    CHECK(mixed.period == "month");
    REQUIRE(mixed.rows.size() == 2);
    CHECK(mixed.rows[0].usage.requests == dec("365"));
    CHECK(mixed.rows[1].usage.requests == dec("100"));
    CHECK(any_note_contains(mixed, "different periods"));

    // Same periods: reported as given.
    const Report same = estimate({daily});
    CHECK(same.period == "day");
    CHECK(same.rows[0].usage.requests == dec("12"));

    // 7 a week is 1 a day; 365 a year is 1 a day; 12 a year is 1 a month.
    CHECK(convert_period(dec("7"), Period::week, Period::day) == dec("1"));
    CHECK(convert_period(dec("365"), Period::year, Period::day) == dec("1"));
    CHECK(convert_period(dec("12"), Period::year, Period::month) == dec("1"));
    CHECK(convert_period(dec("1"), Period::month, Period::year) == dec("12"));
    CHECK(convert_period(dec("1"), Period::day, Period::week) == dec("7"));
    // 20 a day is 20 x 365 / 12 = 608.333... a month: not exact, and flagged.
    bool inexact = false;
    CHECK(convert_period(dec("20"), Period::day, Period::month, &inexact) == dec("608.333333333333"));
    CHECK(inexact);
  }

  TEST_CASE("price_usage directly: linear in usage")
  {
    const Card* card = bundled().find_card("moonshot");
    REQUIRE(card != nullptr);
    const Model* model = card->find_model("kimi-k2.6");
    REQUIRE(model != nullptr);
    const PriceRequest request{card, model, &model->current(), false, {}};
    Usage usage;
    usage.requests = dec("1");
    usage.input = dec("1000000");
    usage.cached_input = dec("1000000");
    usage.output = dec("1000000");
    // 0.95 + 0.16 + 4.00 = 5.11.
    const Priced one = price_usage(request, usage);
    REQUIRE(one.cost.has_value());
    CHECK(one.cost->total() == dec("5.11"));
    usage += usage;
    const Priced two = price_usage(request, usage);
    REQUIRE(two.cost.has_value());
    CHECK(two.cost->total() == dec("10.22"));

    // effective_token_prices for display.
    const auto standard = effective_token_prices(*card, model->current(), false);
    REQUIRE(standard.has_value());
    CHECK(standard->input == std::optional<Decimal>(dec("0.95")));
    const auto batch = effective_token_prices(*card, model->current(), true);
    REQUIRE(batch.has_value());
    CHECK(batch->input == std::optional<Decimal>(dec("0.57")));
    CHECK(batch->cached_input == std::optional<Decimal>(dec("0.10")));
    CHECK(batch->output == std::optional<Decimal>(dec("2.40")));

    const Card* kyma = bundled().find_card("kyma");
    REQUIRE(kyma != nullptr);
    std::string why;
    CHECK_FALSE(effective_token_prices(*kyma, kyma->find_model("kimi-k2.6")->current(), true, &why).has_value());
    CHECK(contains(why, "kyma"));
  }
}

TEST_CASE("a chat price plan prices every record as price_usage does")
{
  // Every chat price period of the bundled cards, standard and batch: the
  // plan (integer multiplies) gives price_usage's cost and notes exactly,
  // or stands aside where price_usage must decide.
  const std::vector<std::uint64_t> quantities = {
      0, 1, 7, 999, 123'457, 1'000'000, 98'765'432'109, k_max_row_quantity - 1};
  std::size_t planned = 0;
  std::size_t checked = 0;
  for (const Card& card : bundled().cards()) {
    for (const Model& model : card.models) {
      for (const PriceSet& prices : model.periods) {
        for (const bool batch : {false, true}) {
          const auto plan = ChatPricePlan::make(card, model, prices, batch);
          const bool chat = model.kind == ModelKind::chat;
          const bool priceable = chat && effective_token_prices(card, prices, batch).has_value();
          CHECK(plan.has_value() == priceable); // the bundled prices all fit a plan
          if (!plan) {
            continue;
          }
          ++planned;
          for (std::size_t i = 0; i < quantities.size() * 4; ++i) {
            Counts<std::uint64_t> counts;
            counts[Counter::requests] = 1;
            counts[Counter::input] = quantities[i % quantities.size()];
            counts[Counter::cached_input] = quantities[(i * 3 + 1) % quantities.size()];
            counts[Counter::cache_write] = i % 3 == 0 ? counts[Counter::input] / 2 : 0;
            counts[Counter::output] = quantities[(i * 5 + 2) % quantities.size()];
            counts[Counter::web_search_calls] = i % 4 == 1 ? 3 : 0;
            unsigned notes = 0;
            const std::optional<Cost> fast = plan->price(counts, notes);
            const Priced slow = price_usage(PriceRequest{&card, &model, &prices, batch, {}}, usage_from_counts(counts));
            CAPTURE(card.provider);
            CAPTURE(model.id);
            CAPTURE(i);
            REQUIRE(fast.has_value() == slow.cost.has_value());
            if (fast) {
              ++checked;
              CHECK(fast->input == slow.cost->input);
              CHECK(fast->cached_input == slow.cost->cached_input);
              CHECK(fast->output == slow.cost->output);
              CHECK(fast->fees == slow.cost->fees);
              CHECK(fast->media == slow.cost->media);
              CHECK(notes == slow.notes);
            }
          }
        }
      }
    }
  }
  CHECK(planned > 20);
  CHECK(checked > 500);
}

TEST_CASE("a price finer than a plan can hold is left to price_usage")
{
  const Card* moonshot = bundled().find_card("moonshot");
  REQUIRE(moonshot != nullptr);
  const Model* model = moonshot->find_model("kimi-k2.6");
  REQUIRE(model != nullptr);
  PriceSet prices = model->current();
  prices.input->amount = dec("0.0000001"); // 10^-13 a token: not a whole raw unit
  CHECK_FALSE(ChatPricePlan::make(*moonshot, *model, prices, false).has_value());
  prices.input->amount = dec("0.000001"); // 10^-12 a token: exact
  CHECK(ChatPricePlan::make(*moonshot, *model, prices, false).has_value());
  prices.input->amount = dec("10000000000000"); // 10^19 raw units a token: more than 64 bits hold
  CHECK_FALSE(ChatPricePlan::make(*moonshot, *model, prices, false).has_value());
}
