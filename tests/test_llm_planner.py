"""The LLM planner: the model chooses among the registered tools; what it returns is
validated and completed, and anything unusable falls back to the rules. Scripted
models pin the validation down; the packaged Qwen runs in process with decoding
constrained to the registered tool names, and behind a real llama_cpp.server
through the OpenAI `tools` API."""

from __future__ import annotations

import json

import pytest

from agent.agent import Agent, new_state
from agent.llm import LlamaCppModel, OpenAICompatibleModel
from agent.llm_planner import NO_TOOL, LLMPlanner
from tests.server_support import llama_server
from tools.registry import load_registry


class Scripted:
    """A fake chat model that returns fixed text (the wording only)."""

    name = "scripted"

    def __init__(self, text: str) -> None:
        self.text = text
        self.calls = 0

    def chat(self, messages, max_tokens=256):
        self.calls += 1
        return self.text


@pytest.fixture(scope="module")
def shop(demo_store):
    return demo_store


def agent_with(shop, model) -> Agent:
    agent = Agent(shop, "demo", registry=load_registry(include_entry_points=False))
    agent.planner = LLMPlanner(model, agent.registry, agent.vocabulary)
    return agent


def shown_boots(agent: Agent):
    state = new_state()
    planner, agent.planner = agent.planner, None
    reply = agent.turn(state, "hiking boots under $150", "u0301")
    agent.planner = planner
    return state, [p.product_id for p in reply.products]


def test_the_models_choice_is_used_validated_and_completed(shop):
    choice = {"tool": "compare_products", "arguments": {"product_ids": ["nope", "also-nope"]}}
    agent = agent_with(shop, Scripted("Sure: " + json.dumps(choice)))
    state, ids = shown_boots(agent)
    reply = agent.turn(state, "compare the first two", "u0301")
    assert reply.plan["source"] == "llm" and reply.plan["tool"] == "compare_products"
    # ids the catalog does not have are replaced by the products the message refers to
    assert reply.data["columns"] == ids[:2] and agent.planner.chosen == 1


def test_a_finder_choice_becomes_the_search_with_the_catalogs_own_names(shop):
    choice = {"tool": "search_products",
              "arguments": {"query": "boots", "category": "hiking boots", "brands": ["Acme"],
                            "max_price": 90}}  # fmt: skip
    agent = agent_with(shop, Scripted(json.dumps(choice)))
    state = new_state()
    reply = agent.turn(state, "something for the trails", "u0302")
    assert reply.plan["source"] == "llm" and state.slots.category == "Hiking Boots"
    assert state.slots.brands == [] and state.slots.max_price == 90  # unknown brand dropped
    assert reply.products and all(p.price <= 90 for p in reply.products)


@pytest.mark.parametrize(
    "text",
    [
        "no json here",
        json.dumps({"tool": "launch_rockets", "arguments": {}}),
        json.dumps({"tool": "compare_products", "arguments": {"product_ids": 7, "k": "x"}}),
        json.dumps({"tool": NO_TOOL, "arguments": {}}),
        "[1, 2]",
    ],
)
def test_unusable_or_empty_choices_fall_back_to_the_rules(shop, text):
    agent = agent_with(shop, Scripted(text))
    state, ids = shown_boots(agent)
    reply = agent.turn(state, "compare the first two", "u0303")
    assert agent.planner.fallbacks == 1 and agent.planner.chosen == 0
    assert reply.plan["source"] == "rules" and reply.data["columns"] == ids[:2]


@pytest.mark.parametrize(
    "choice",
    [
        {"tool": "compare_products", "arguments": {}},
        {"tool": "product_details", "arguments": {"product_id": "not-a-product"}},
    ],
)
def test_a_product_tool_with_no_product_to_act_on_falls_back_to_the_rules(shop, choice):
    """The packaged model often chooses a comparison for "I'm looking for hiking boots"
    with nothing shown: neither its arguments nor the dialogue give a product, so the
    choice is unusable and the rules plan the message (a search), where before the
    turn said there was nothing to compare."""
    agent = agent_with(shop, Scripted(json.dumps(choice)))
    state = new_state()
    reply = agent.turn(state, "I'm looking for hiking boots.", "u0307")
    assert (agent.planner.chosen, agent.planner.fallbacks) == (0, 1)
    assert reply.plan["source"] == "rules" and reply.intent == "recommend"
    kinds = {agent.store.product("demo", p.product_id).category for p in reply.products}
    assert reply.products and kinds == {"Hiking Boots"}


def test_a_write_the_shopper_did_not_ask_for_is_refused(shop):
    choice = {"tool": "record_feedback", "arguments": {"product_id": "x", "kind": "cart"}}
    agent = agent_with(shop, Scripted(json.dumps(choice)))
    state, ids = shown_boots(agent)
    before = len(shop.feedback("demo", "u0304"))
    reply = agent.turn(state, "tell me about the first one", "u0304")
    assert len(shop.feedback("demo", "u0304")) == before
    assert "Nothing was changed" in reply.text
    asked = agent.turn(state, "add the first one to my cart", "u0304")
    assert shop.feedback("demo", "u0304")[-1][:2] == (ids[0], "cart") and asked.intent == "cart"


def test_in_process_model_is_constrained_to_registered_tools(shop, qwen_path):
    model = LlamaCppModel(qwen_path, "qwen")
    agent = agent_with(shop, model)
    state, _ = shown_boots(agent)
    situation = agent.situation(state, agent._context(state, "u0305", None))
    names = set(agent.registry.names()) | {NO_TOOL}
    rules_only = Agent(shop, "demo", registry=agent.registry)
    for message in ("how long would shipping take for the first one?", "第二个防水吗？"):
        raw = model.chat_json(
            [{"role": "system", "content": agent.planner._system()},
             {"role": "user", "content": agent.planner._user(message, situation)}],
            agent.planner.choice_schema(), max_tokens=120,
        )  # fmt: skip
        data = json.loads(raw)  # the grammar allows nothing but this JSON
        assert data["tool"] in names and isinstance(data["arguments"], dict)
        counted = agent.planner.chosen, agent.planner.fallbacks
        plan = agent.plan(message, state, agent._context(state, "u0305", None))
        # Each message is planned from the model's choice or counted as a fallback to the
        # rules, whose plan it then is (the 0.5B model's arguments are often invalid).
        if agent.planner.chosen > counted[0]:
            assert plan.source == "llm" and plan.tool in names
        else:
            assert agent.planner.fallbacks == counted[1] + 1 and plan.source != "llm"
            rules = rules_only.plan(message, state, rules_only._context(state, "u0305", None))
            assert (plan.action, plan.tool) == (rules.action, rules.tool)
    assert agent.planner.chosen + agent.planner.fallbacks == 2


def test_a_call_written_as_text_in_the_chat_formats_syntax_is_read_as_the_call():
    """llama.cpp's chatml-function-calling can return "functions.<name>:" as the content
    (its grammar ends on the colon): the named function is asked for again, its arguments
    decoded by the server; arguments written after the colon are used as they are."""
    import httpx

    schemas = [
        {"type": "function", "function": {"name": n, "parameters": {"type": "object"}}}
        for n in ("search_products", "compare_products")
    ]
    bodies: list[dict] = []

    def reply(content=None, calls=None):
        message = {"role": "assistant", "content": content, "tool_calls": calls}
        return httpx.Response(200, json={"choices": [{"message": message}]})

    def server(request):
        bodies.append(json.loads(request.content))
        choice = bodies[-1]["tool_choice"]
        if choice == "auto":
            return reply(content=script.pop(0))
        call = {"function": {"name": choice["function"]["name"], "arguments": '{"query": "x"}'}}
        return reply(calls=[call])

    model = OpenAICompatibleModel("http://endpoint", timeout=5)
    model._client = httpx.Client(transport=httpx.MockTransport(server))
    user = [{"role": "user", "content": "boots"}]
    script = ["functions.search_products:"]
    assert model.chat_tools(user, schemas) == [("search_products", {"query": "x"})]
    forced = bodies[-1]["tool_choice"]
    assert forced == {"type": "function", "function": {"name": "search_products"}}
    script = ['functions.compare_products:\n{"product_ids": ["P1", "P2"]}']
    assert model.chat_tools(user, schemas) == [("compare_products", {"product_ids": ["P1", "P2"]})]
    # a name the request did not offer, or words, are no call
    for words in ("functions.delete_everything:", "Here are some boots."):
        script, asked = [words], len(bodies)
        assert model.chat_tools(user, schemas) == [] and len(bodies) == asked + 1


@pytest.fixture(scope="module")
def tool_server(qwen_path):
    """The packaged Qwen behind llama_cpp.server with a function-calling chat format."""
    options = ("--n_ctx", "4096", "--chat_format", "chatml-function-calling")
    with llama_server(qwen_path, *options, wait_s=240) as url:
        yield url


def test_remote_model_chooses_tools_through_the_openai_tools_api(shop, tool_server):
    from tools.builtins import product_details, recommend_for_shopper, record_feedback
    from tools.registry import ToolRegistry

    model = OpenAICompatibleModel(tool_server, timeout=300)
    # Three tools keep the prompt short enough for two CPU cores; the schemas are the
    # registry's own, sent through the OpenAI `tools` API.
    registry = ToolRegistry()
    for function in (product_details, recommend_for_shopper):
        registry.register(function)
    registry.register(record_feedback, writes=True)
    agent = Agent(shop, "demo", registry=registry)
    agent.planner = LLMPlanner(model, registry, agent.vocabulary)
    state, ids = shown_boots(agent)
    names = set(agent.registry.names())
    # A named function: the server's grammar makes the model write that call's arguments.
    forced = {"type": "function", "function": {"name": "record_feedback"}}
    calls = model.chat_tools(
        [{"role": "user", "content": "Add the first product, id " + ids[0] + ", to my cart."}],
        agent.registry.schemas(), max_tokens=80, tool_choice=forced,
    )  # fmt: skip
    assert [name for name, _ in calls] == ["record_feedback"]
    assert set(calls[0][1]) <= {"product_id", "kind"} and calls[0][1].get("kind") in (
        "like",
        "not_interested",
        "cart",
        "purchase",
        "view",
    )
    # "auto": the model may call any registered tool, or answer in words (then the rules
    # plan). Asked to act, it calls one: the server writes "functions.<name>:" as text
    # and the name is asked for again (agent.llm).
    auto = model.chat_tools([{"role": "user", "content": "add the first one to my cart"}],
                            agent.registry.schemas(), max_tokens=80)  # fmt: skip
    assert auto and all(name in names and isinstance(args, dict) for name, args in auto)
    reply = agent.turn(state, "add the first one to my cart", "u0306")
    # The model planned the turn (its call came back as "functions.record_feedback:" text,
    # read as that call), the count says so, and the write happened on the product the
    # shopper named, once.
    assert reply.plan["source"] == "llm" and reply.plan["tool"] == "record_feedback"
    assert (agent.planner.chosen, agent.planner.fallbacks) == (1, 0)
    assert shop.feedback("demo", "u0306")[-1][:2] == (ids[0], "cart")
    assert reply.intent in ("cart", "feedback")
