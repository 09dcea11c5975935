"""Rule-based evaluation checks, run on Run objects built in the tests."""

import logging

import pytest

from logs_app.ingest.checks import CHECKS, CheckResult, run_checks
from logs_app.ingest.checks.limits import ANY_TOOL, SEARCH, find_limits
from logs_app.ingest.checks.registry import check
from logs_app.ingest.checks.requests import BULLETS, CITATIONS, JSON, LANGUAGE, MARKDOWN_LINKS, WORDS, find_requests
from logs_app.ingest.formats.common import read_usage
from logs_app.ingest.run import (
    REQUEST,
    RESPONSE,
    RETRY_PROMPT,
    TEXT,
    TOOL_CALL,
    TOOL_RETURN,
    USER_PROMPT,
    Message,
    Part,
    Run,
    Usage,
)

QUESTION = "How do I restart a Kubernetes pod?"
GOOD_ANSWER = (
    "To restart a Kubernetes pod, delete it and let its deployment create a new one.\n\n"
    "- Run `kubectl delete pod NAME` to remove the pod.\n"
    "- Or run `kubectl rollout restart deployment/NAME` to restart every pod of the deployment.\n\n"
    "The deployment controller notices the missing pod and schedules a replacement within seconds. "
    "Pods that are not managed by a controller do not come back, so recreate them from their manifest. "
    "Check the new pod with `kubectl get pods` and read its events with `kubectl describe pod NAME`.\n\n"
    "Sources:\n"
    "- [Pod lifecycle](https://github.com/kubernetes/website/blob/main/content/en/docs/pods.md)"
)


def usage(input_tokens=100, output_tokens=20, **fields):
    return Usage(input_tokens=input_tokens, output_tokens=output_tokens, **fields)


def make_run(
    answer=GOOD_ANSWER,
    prompt=QUESTION,
    instructions="",
    tools=(),
    calls=(),
    errors=(),
    retries=(),
    finish_reason="stop",
    response_usage=True,
    **fields,
):
    """Build a run: the question, one response per tool call with its return, then the answer.

    `calls` and `errors` are tool names, and each tool in `errors` returns an error.
    Each name in `retries` gets a retry prompt, where "" stands for output validation.
    """
    messages = [Message(kind=REQUEST, parts=[Part(kind=USER_PROMPT, content=prompt)])]
    for name in [*calls, *errors]:
        messages.append(
            Message(
                kind=RESPONSE,
                parts=[Part(kind=TOOL_CALL, tool_name=name, args={"query": "pods"})],
                finish_reason="tool_call",
                usage=usage() if response_usage else None,
            )
        )
        result = Part(kind=TOOL_RETURN, tool_name=name, content="results", is_error=name in errors)
        if name in errors:
            result.content = "Error: the index is not loaded"
        messages.append(Message(kind=REQUEST, parts=[result]))
    for name in retries:
        messages.append(
            Message(
                kind=REQUEST,
                parts=[Part(kind=RETRY_PROMPT, tool_name=name, content="Field required: query", is_error=True)],
            )
        )
    messages.append(
        Message(
            kind=RESPONSE,
            parts=[Part(kind=TEXT, content=answer)] if answer else [],
            finish_reason=finish_reason,
            usage=usage() if response_usage else None,
        )
    )
    fields.setdefault("usage", usage(100 * len(messages), 20 * len(messages)))
    return Run(
        log_format="test",
        user_prompt=prompt,
        instructions=instructions,
        answer=answer,
        tools=list(tools),
        messages=messages,
        **fields,
    )


def result(name, run):
    [found] = [item for item in run_checks(run) if item.name == name]
    return found


class TestRegistry:
    def test_every_check_runs_once(self):
        results = run_checks(make_run())

        assert [item.name for item in results] == list(CHECKS)
        assert all(isinstance(item, CheckResult) for item in results)
        assert all(item.details for item in results)

    def test_dashboard_names_are_registered(self):
        expected = {
            "instructions_follow",
            "instructions_avoid",
            "answer_clear",
            "answer_match",
            "answer_citations",
            "completeness",
            "tool_call_search",
        }

        assert expected <= set(CHECKS)

    def test_raising_check_becomes_failed_result(self, caplog):
        @check("test_raises")
        def raises(run):
            raise KeyError("missing field")

        try:
            with caplog.at_level(logging.ERROR):
                results = run_checks(make_run())
        finally:
            del CHECKS["test_raises"]

        [broken] = [item for item in results if item.name == "test_raises"]
        assert broken.passed is False
        assert "KeyError" in broken.details
        assert "missing field" in broken.details
        assert "test_raises" in caplog.text
        assert len(results) == len(CHECKS) + 1

    def test_duplicate_name_is_rejected(self):
        with pytest.raises(ValueError, match="registered twice"):
            check("answer_clear")(lambda run: None)


class TestInstructionsFollow:
    FORMAT = "Always include references. Format: [LINK TITLE](FULL_GITHUB_LINK)"

    def test_link_format_met(self):
        outcome = result("instructions_follow", make_run(instructions=self.FORMAT))

        assert outcome.passed is True
        assert outcome.score == 1.0
        assert "[LINK TITLE](FULL_GITHUB_LINK)" in outcome.details

    def test_link_format_unmet(self):
        run = make_run(instructions=self.FORMAT, answer="Delete the pod and the deployment recreates it for you.")

        outcome = result("instructions_follow", run)

        assert outcome.passed is False
        assert outcome.score == 0.0
        assert "no link in the form" in outcome.details

    def test_word_limit(self):
        instructions = "Summarize clearly in under 50 words."

        short = result("instructions_follow", make_run(instructions=instructions, answer="Delete the pod."))
        long = result("instructions_follow", make_run(instructions=instructions))

        assert short.passed is True
        assert long.passed is False
        assert "at most 50 requested" in long.details

    def test_word_limit_in_words(self):
        outcome = result("instructions_follow", make_run(instructions="Answer in no more than ten words."))

        assert outcome.passed is False

    def test_bullets_requested(self):
        instructions = "Answer with bullet points."

        assert result("instructions_follow", make_run(instructions=instructions)).passed is True
        plain = make_run(instructions=instructions, answer="Delete the pod and wait for the replacement.")
        assert result("instructions_follow", plain).passed is False

    def test_bullets_forbidden(self):
        outcome = result("instructions_follow", make_run(instructions="Do not use bullet points."))

        assert outcome.passed is False

    def test_json_requested(self):
        instructions = "Respond only with valid JSON."

        fenced = make_run(instructions=instructions, answer='```json\n{"steps": ["delete the pod"]}\n```')
        assert result("instructions_follow", fenced).passed is True
        assert result("instructions_follow", make_run(instructions=instructions)).passed is False

    def test_language_requested(self):
        instructions = "Always answer in Spanish."
        spanish = "Para reiniciar un pod, elimínalo y el deployment crea uno nuevo con la misma configuración."

        assert result("instructions_follow", make_run(instructions=instructions, answer=spanish)).passed is True
        outcome = result("instructions_follow", make_run(instructions=instructions))
        assert outcome.passed is False
        assert "reads as english" in outcome.details

    def test_sources_section_requested(self):
        instructions = "Always end with:\n\nSources:\n* [EIP] Section Title — URL"
        no_section = "Delete the pod, and see https://kubernetes.io/docs for details."

        assert result("instructions_follow", make_run(instructions=instructions)).passed is True
        outcome = result("instructions_follow", make_run(instructions=instructions, answer=no_section))
        assert outcome.passed is False
        assert "no sources section" in outcome.details

    def test_emojis_forbidden(self):
        instructions = "Do not use emojis."

        assert result("instructions_follow", make_run(instructions=instructions)).passed is True
        smiley = make_run(instructions=instructions, answer="Delete the pod and it comes back \U0001f600.")
        assert result("instructions_follow", smiley).passed is False

    def test_partial_score(self):
        instructions = "Use bullet points. Answer in under 20 words."

        outcome = result("instructions_follow", make_run(instructions=instructions))

        assert outcome.passed is False
        assert outcome.score == 0.5

    def test_nothing_checkable_is_not_applicable(self):
        outcome = result("instructions_follow", make_run(instructions="You are a helpful assistant for a course."))

        assert outcome.passed is None
        assert outcome.score is None
        assert outcome.details == "the instructions ask for nothing checkable"

    def test_no_instructions_is_not_applicable(self):
        assert result("instructions_follow", make_run()).passed is None

    def test_placeholder_instructions_are_not_applicable(self):
        placeholder = "<bound method Agent.system_prompt of Agent(model=GroqModel(), name='x')>"

        outcome = result("instructions_follow", make_run(instructions=placeholder))

        assert outcome.passed is None
        assert outcome.details == "the run has no instructions"


class TestFindRequests:
    @pytest.mark.parametrize(
        "text, kind",
        [
            ("Always include references by citing the filename.", CITATIONS),
            ("Always cite the url in the response.", CITATIONS),
            ("Format: [LINK TITLE](FULL_GITHUB_LINK)", MARKDOWN_LINKS),
            ("Keep it to 200 words or less.", WORDS),
            ("Present the steps as a numbered list.", BULLETS),
            ("Just the raw JSON.", JSON),
            ("Please respond in French.", LANGUAGE),
        ],
    )
    def test_request_found(self, text, kind):
        assert kind in [request.kind for request in find_requests(text)]

    @pytest.mark.parametrize(
        "text",
        [
            "Cite specific details from the docs.",
            "The search tool returns JSON documents.",
            "You are a helpful assistant.",
        ],
    )
    def test_no_request_found(self, text):
        assert find_requests(text) == []

    def test_word_bounds(self):
        [at_least] = find_requests("Write at least 100 words.")
        [fewer] = find_requests("Use fewer than 100 words.")

        assert at_least.value == (100, None)
        assert fewer.value == (None, 99)


class TestInstructionsAvoid:
    LIMITS = "Perform at least 3 and at most 6 distinct searches. You may call `read_file` at any time."

    def test_limits_respected(self):
        run = make_run(instructions=self.LIMITS, tools=["search", "read_file"], calls=["search"] * 4 + ["read_file"])

        outcome = result("instructions_avoid", run)

        assert outcome.passed is True
        assert outcome.details == "4 search calls (search) where the instructions set between 3 and 6"

    def test_too_many_calls(self):
        run = make_run(instructions=self.LIMITS, tools=["search"], calls=["search"] * 7)

        outcome = result("instructions_avoid", run)

        assert outcome.passed is False
        assert outcome.score == 0.0
        assert "7 search calls" in outcome.details

    def test_too_few_calls(self):
        run = make_run(instructions=self.LIMITS, tools=["search"], calls=["search"])

        assert result("instructions_avoid", run).passed is False

    def test_tool_returns_are_not_counted(self):
        run = make_run(instructions="Do not call get_page more than 2 times.", calls=["get_page", "get_page"])

        outcome = result("instructions_avoid", run)

        assert outcome.passed is True
        assert outcome.details == "2 get_page calls where the instructions set at most 2"

    def test_named_tool_limit(self):
        run = make_run(instructions="Do not call get_page more than two times.", calls=["get_page"] * 3)

        assert result("instructions_avoid", run).passed is False

    def test_no_limits_is_not_applicable(self):
        run = make_run(instructions="Select up to 3 keywords. Include at least one citation.", calls=["search"])

        outcome = result("instructions_avoid", run)

        assert outcome.passed is None
        assert outcome.details == "the instructions set no limit on tool calls"

    def test_no_instructions_is_not_applicable(self):
        assert result("instructions_avoid", make_run(calls=["search"])).passed is None


class TestFindLimits:
    TOOLS = {"search", "read_file", "get_wikipedia_page", "search_wikipedia"}

    @pytest.mark.parametrize(
        "text, target, minimum, maximum",
        [
            ("Perform at least 3 and at most 6 distinct searches.", SEARCH, 3, 6),
            ("The 6-search limit applies only to `search` calls.", SEARCH, None, 6),
            ("Make a maximum of five searches.", SEARCH, None, 5),
            ("Do not call get_wikipedia_page more than 4 times.", "get_wikipedia_page", None, 4),
            ("Use read_file at most twice.", "read_file", None, 2),
            ("Call search_wikipedia at least once.", "search_wikipedia", 1, None),
            ("Make between 2 and 4 searches.", SEARCH, 2, 4),
            ("Never make more than 10 tool calls.", ANY_TOOL, None, 10),
            ("Search no more than three times.", SEARCH, None, 3),
            ("Use fewer than 5 queries.", SEARCH, None, 4),
        ],
    )
    def test_limit_found(self, text, target, minimum, maximum):
        [limit] = find_limits(text, self.TOOLS)

        assert limit.target == target
        assert limit.minimum == minimum
        assert limit.maximum == maximum

    @pytest.mark.parametrize(
        "text",
        [
            "Do not process more than 3 keywords, even if more are returned.",
            "Always include at least one reference in your answer.",
            "Select up to 2-3 keywords.",
            "The group has more than 100 members.",
            "Summarize in under 500 words.",
        ],
    )
    def test_no_limit_found(self, text):
        assert find_limits(text, self.TOOLS) == []


class TestAnswerNotEmpty:
    def test_answer_present(self):
        assert result("answer_not_empty", make_run()).passed is True

    def test_answer_empty(self):
        outcome = result("answer_not_empty", make_run(answer="  \n"))

        assert outcome.passed is False
        assert outcome.details == "the answer is empty"


class TestAnswerClear:
    def test_readable_answer(self):
        outcome = result("answer_clear", make_run())

        assert outcome.passed is True
        assert outcome.score == 1.0

    def test_run_on_sentence(self):
        run_on = " ".join(["the pod restarts when the deployment notices that it is gone and"] * 8) + "."

        outcome = result("answer_clear", make_run(answer=run_on))

        assert outcome.passed is False
        assert outcome.score == 0.0
        assert "1 longer than 40 words" in outcome.details

    def test_chinese_answer(self):
        answer = "删除这个 Pod 之后，Deployment 会自动创建一个新的 Pod。你也可以运行滚动重启命令来重启所有的 Pod。"

        outcome = result("answer_clear", make_run(answer=answer))

        assert outcome.passed is True
        assert "2 sentences" in outcome.details

    def test_too_few_words(self):
        outcome = result("answer_clear", make_run(answer="Delete it."))

        assert outcome.passed is False
        assert outcome.details == "the answer has only 2 words"

    def test_code_only_is_not_applicable(self):
        outcome = result("answer_clear", make_run(answer="```bash\nkubectl delete pod web-1\n```"))

        assert outcome.passed is None

    def test_empty_answer_fails(self):
        assert result("answer_clear", make_run(answer="")).passed is False


class TestAnswerMatch:
    def test_answer_on_topic(self):
        outcome = result("answer_match", make_run())

        assert outcome.passed is True
        assert outcome.score == 1.0

    def test_word_forms_match(self):
        run = make_run(prompt="Generating reports with queries?", answer="We generate the report from one query.")

        assert result("answer_match", run).score == 1.0

    def test_answer_off_topic(self):
        run = make_run(answer="The capital of France is Paris, a city on the Seine.")

        outcome = result("answer_match", run)

        assert outcome.passed is False
        assert outcome.score == 0.0
        assert "missing: kubernetes, pod, restart" in outcome.details

    @pytest.mark.parametrize(
        ("question_word", "answer_word", "matches"),
        [
            ("math", "Mathematics", True),
            ("mathematical", "mathematics", True),
            ("physics", "physical", True),
            ("running", "run", True),
            ("stopped", "stops", True),
            ("added", "add", True),
            ("configuration", "configure", True),
            ("databases", "database", True),
            ("studies", "study", True),
            ("topics", "topic", True),
            ("cat", "category", False),
            ("art", "article", False),
            ("2024", "20245", False),
            ("pod", "podcast", False),
        ],
    )
    def test_light_stemming(self, question_word, answer_word, matches):
        run = make_run(prompt=f"{question_word}?", answer=f"It is about {answer_word} in general.")

        assert result("answer_match", run).passed is matches

    def test_question_without_terms_is_not_applicable(self):
        outcome = result("answer_match", make_run(prompt="hi"))

        assert outcome.passed is None
        assert outcome.details == "the run has no question with content words"


class TestAnswerCitations:
    def test_links_pass(self):
        outcome = result("answer_citations", make_run(tools=["search"]))

        assert outcome.passed is True
        assert outcome.details == "the answer contains 1 links"

    def test_sources_section_without_links(self):
        answer = "Delete the pod.\n\n**Sources used**:\n- pods.md"

        outcome = result("answer_citations", make_run(tools=["search"], answer=answer))

        assert outcome.passed is True
        assert outcome.score == 0.5

    def test_sentence_starting_with_source_is_no_section(self):
        answer = "Source code for the controller lives in the kubernetes repository."

        assert result("answer_citations", make_run(tools=["search"], answer=answer)).passed is False

    def test_no_sources_fails(self):
        outcome = result("answer_citations", make_run(tools=["search"], answer="Delete the pod and wait."))

        assert outcome.passed is False

    def test_asked_in_instructions_without_tools(self):
        run = make_run(instructions="Always cite your sources.", answer="Delete the pod and wait.")

        assert result("answer_citations", run).passed is False

    def test_nothing_to_cite_is_not_applicable(self):
        assert result("answer_citations", make_run()).passed is None


class TestCompleteness:
    def test_long_answer(self):
        outcome = result("completeness", make_run())

        assert outcome.passed is True
        assert outcome.details == "89 words, 3 list items, 1 headings"

    def test_short_structured_answer(self):
        answer = "Two ways to restart a pod:\n\n- delete the pod and let the deployment recreate it\n" + (
            "- run a rollout restart of the deployment, which replaces every pod one by one safely"
        )

        assert result("completeness", make_run(answer=answer)).passed is True

    def test_short_answer(self):
        outcome = result("completeness", make_run(answer="Delete the pod."))

        assert outcome.passed is False
        assert outcome.details == "3 words, no lists, headings or code"

    def test_empty_answer(self):
        assert result("completeness", make_run(answer="")).passed is False


class TestToolCallTextLeak:
    @pytest.mark.parametrize(
        "answer",
        [
            '<function=hybrid_search_tool>{"query": "restart pod"}</function>',
            '```tool_code\n[search(query="repository overview")]\n```',
            'I will look it up: search(query="restart pod")',
            '{"name": "search", "arguments": {"query": "pods"}}',
        ],
    )
    def test_markup_fails(self, answer):
        assert result("tool_call_text_leak", make_run(tools=["search"], answer=answer)).passed is False

    def test_code_example_passes(self):
        answer = "Call the client:\n\n```python\nresults = index.search(query='pods')\n```\nThen print the results."

        assert result("tool_call_text_leak", make_run(tools=["search"], answer=answer)).passed is True

    def test_empty_answer_is_not_applicable(self):
        assert result("tool_call_text_leak", make_run(answer="")).passed is None


class TestToolCallSearch:
    def test_search_called(self):
        outcome = result("tool_call_search", make_run(tools=["hybrid_search", "get_page"], calls=["hybrid_search"]))

        assert outcome.passed is True
        assert outcome.details == "search calls: hybrid_search 1x"

    def test_search_not_called(self):
        outcome = result("tool_call_search", make_run(tools=["text_search"], calls=[]))

        assert outcome.passed is False
        assert outcome.details == "no call to text_search"

    def test_tool_seen_only_in_calls(self):
        assert result("tool_call_search", make_run(calls=["search_docs"])).passed is True

    def test_flat_log_with_a_tool_call_part_passes(self):
        # The shape the question-answer parser builds for "tool_used": no tool list, one call in the response.
        run = Run(
            log_format="question-answer",
            user_prompt="What is x?",
            answer="x is y",
            instructions="Always use search_docs.",
            messages=[
                Message(kind=REQUEST, parts=[Part(kind=USER_PROMPT, content="What is x?")]),
                Message(
                    kind=RESPONSE,
                    parts=[Part(kind=TOOL_CALL, tool_name="search_docs"), Part(kind=TEXT, content="x is y")],
                ),
            ],
        )

        outcome = result("tool_call_search", run)

        assert outcome.passed is True
        assert outcome.details == "search calls: search_docs 1x"

    def test_tool_return_without_a_call_part_counts_as_a_call(self):
        run = Run(
            log_format="question-answer",
            user_prompt="What is x?",
            answer="x is y",
            tools=["search_docs"],
            messages=[
                Message(
                    kind=REQUEST,
                    parts=[
                        Part(kind=USER_PROMPT, content="What is x?"),
                        Part(kind=TOOL_RETURN, tool_name="search_docs", content="x is y, says the manual"),
                    ],
                ),
                Message(kind=RESPONSE, parts=[Part(kind=TEXT, content="x is y")]),
            ],
        )

        assert result("tool_call_search", run).passed is True

    def test_returns_do_not_double_count_calls(self):
        outcome = result("tool_call_search", make_run(calls=["search_docs", "search_docs"]))

        assert outcome.details == "search calls: search_docs 2x"

    def test_instructions_name_the_search_tool(self):
        run = make_run(
            instructions="Use the `lookup` tool to search the documentation.",
            tools=["lookup", "save_note"],
            calls=["save_note"],
        )

        outcome = result("tool_call_search", run)

        assert outcome.passed is False
        assert outcome.details == "no call to lookup"

    def test_no_search_tool_is_not_applicable(self):
        outcome = result("tool_call_search", make_run(tools=["get_weather"], calls=["get_weather"]))

        assert outcome.passed is None


class TestToolErrors:
    def test_clean_tool_use(self):
        assert result("tool_errors", make_run(calls=["search"])).passed is True

    def test_error_return(self):
        outcome = result("tool_errors", make_run(calls=["search"], errors=["get_page"]))

        assert outcome.passed is False
        assert outcome.score == 0.5
        assert "from get_page: Error: the index is not loaded" in outcome.details

    def test_retry_prompt_for_tool(self):
        assert result("tool_errors", make_run(calls=["search"], retries=["search"])).passed is False

    def test_no_tool_use_is_not_applicable(self):
        assert result("tool_errors", make_run()).passed is None


class TestModelRetries:
    def test_no_retries(self):
        assert result("model_retries", make_run(calls=["search"])).passed is True

    def test_retries_counted(self):
        outcome = result("model_retries", make_run(retries=["search", ""]))

        assert outcome.passed is False
        assert outcome.details == "2 retry prompts: output 1x, search 1x"

    def test_no_messages_is_not_applicable(self):
        run = Run(log_format="question-answer", user_prompt=QUESTION, answer=GOOD_ANSWER)

        assert result("model_retries", run).passed is None


class TestFinishReasonOk:
    def test_normal_finish(self):
        outcome = result("finish_reason_ok", make_run(calls=["search"]))

        assert outcome.passed is True
        assert outcome.details == "2 responses finished with stop, tool_call"

    @pytest.mark.parametrize("reason", ["error", "length"])
    def test_abnormal_finish(self, reason):
        outcome = result("finish_reason_ok", make_run(finish_reason=reason))

        assert outcome.passed is False
        assert f"response 1: {reason}" in outcome.details

    def test_no_finish_reasons_is_not_applicable(self):
        assert result("finish_reason_ok", make_run(finish_reason="")).passed is None


class TestUsagePresent:
    def test_usage_on_every_response(self):
        assert result("usage_present", make_run(calls=["search"])).passed is True

    def test_run_level_usage_only(self):
        run = make_run(response_usage=False, usage=usage(150, 85))

        outcome = result("usage_present", run)

        assert outcome.passed is True
        assert outcome.details == "the log has run-level token usage"

    def test_usage_missing_on_some_responses(self):
        run = make_run(calls=["search"], usage=usage(100, 20), usage_complete=False)
        run.responses[0].usage = None

        outcome = result("usage_present", run)

        assert outcome.passed is False
        assert outcome.details == "usage missing on 1 of 2 responses"

    def test_no_usage(self):
        run = make_run(response_usage=False, usage=Usage())

        assert result("usage_present", run).details == "the log has no token usage"

    def test_unreadable_run_usage_defers_to_consistency(self):
        run_usage = read_usage({"input_tokens": "lots", "output_tokens": 85})
        run = make_run(response_usage=False, usage=run_usage, usage_complete=False)

        present = result("usage_present", run)
        consistent = result("usage_consistent", run)

        assert present.passed is True
        assert present.details == "the log has run-level token usage; usage_consistent reports what is wrong with it"
        assert consistent.passed is False
        assert "run total: input_tokens is 'lots', not a whole number" in consistent.details

    def test_unreadable_response_usage_worded_alike(self):
        run = make_run()
        run.responses[-1].usage = read_usage({"input_tokens": -4, "output_tokens": 20})

        outcome = result("usage_present", run)

        assert outcome.passed is True
        assert outcome.details == "all 1 responses have token usage; usage_consistent reports what is wrong with it"

    def test_bad_cost_figure_alone_is_no_usage(self):
        run = make_run(response_usage=False, usage=read_usage({"cost": "n/a"}))

        outcome = result("usage_present", run)

        assert outcome.passed is False
        assert outcome.details == "the log has no token usage"


class TestUsageConsistent:
    def test_plausible_usage(self):
        assert result("usage_consistent", make_run()).passed is True

    def test_zero_output_tokens_with_content(self):
        run = make_run()
        run.responses[-1].usage = usage(0, 0)

        outcome = result("usage_consistent", run)

        assert outcome.passed is False
        assert "response 1: 0 output tokens for a response with content" in outcome.details

    def test_all_zero_run_usage_with_answer(self):
        run = Run(log_format="question-answer", answer=GOOD_ANSWER, usage=usage(0, 0))

        assert result("usage_consistent", run).passed is False

    def test_usage_problem(self):
        run = make_run()
        run.responses[-1].usage = usage(10, 5, cache_read_tokens=50, problem="cache_read_tokens 50 above input 10")

        outcome = result("usage_consistent", run)

        assert outcome.passed is False
        assert "cache_read_tokens 50 above input 10" in outcome.details

    def test_no_usage_is_not_applicable(self):
        run = make_run(response_usage=False, usage=Usage())

        assert result("usage_consistent", run).passed is None
