"""Tools in the ecosystem's shape: a LangChain tool registered as it is and reached
in conversation, the registry's tools usable from LangChain and LangGraph, and the
example plugin (installed through its entry point) reached by a chat message in
English and Chinese."""

from __future__ import annotations

import pytest
from langchain_core.tools import tool

from agent.agent import Agent, new_state
from tools.context import ToolContext
from tools.registry import ToolDefinitionError, ToolRegistry, load_registry


@pytest.fixture(scope="module")
def shop(demo_store):
    return demo_store


@pytest.fixture(scope="module")
def vocabulary(shop):
    from agent.vocabulary import Vocabulary
    from vectorstore.embeddings import make_embedder

    return Vocabulary.from_products(shop.products("demo"), make_embedder("use").encode)


@tool
def store_hours(city: str = "Berlin") -> str:
    """Opening hours of the shop's physical stores in a city."""
    return f"Our {city} store is open Monday to Saturday, 9:00 to 18:00."


def test_a_langchain_tool_registers_as_it_is(shop):
    registry = ToolRegistry()
    registered = registry.register(store_hours)
    assert registered.source == "langchain" and registered.parameters["required"] == []
    assert registered.parameters["properties"]["city"]["type"] == "string"
    out = registry.call("store_hours", ToolContext(shop, "demo"), {"city": "Paris"})
    assert (
        out.ok
        and out.result.summary == "Our Paris store is open Monday to Saturday, 9:00 to 18:00."
    )
    bad = registry.call("store_hours", ToolContext(shop, "demo"), {"town": "Paris"})
    assert not bad.ok and "unknown argument" in bad.error

    @tool("Bad Name")
    def badly_named() -> str:
        """Nothing."""
        return ""

    with pytest.raises(ToolDefinitionError, match="lower_snake_case"):
        registry.register(badly_named)


def test_a_langchain_tool_is_reached_in_conversation_and_cited(shop, vocabulary):
    registry = load_registry(include_entry_points=False)
    registry.register(store_hours)
    agent = Agent(shop, "demo", registry=registry, vocabulary=vocabulary)
    reply = agent.turn(new_state(), "what are the opening hours of your stores?", "u0201")
    assert reply.plan["tool"] == "store_hours" and reply.plan["source"] == "router"
    sentence = reply.answer[0]
    assert "Monday to Saturday" in sentence.text and sentence.citations[0].startswith("T")
    record = reply.evidence[sentence.citations[0]]
    assert record.kind == "tool" and "9:00 to 18:00" in record.text


def test_registry_tools_run_in_a_langgraph_tool_node(shop):
    from langchain_core.messages import AIMessage
    from langgraph.graph import END, START, MessagesState, StateGraph
    from langgraph.prebuilt import ToolNode

    from tools.langchain import langchain_tools

    product = shop.products("demo")[0]
    graph = StateGraph(MessagesState)
    ctx = ToolContext(shop, "demo")
    graph.add_node("tools", ToolNode(langchain_tools(load_registry(False), ctx)))
    graph.add_edge(START, "tools")
    graph.add_edge("tools", END)
    call = {"name": "product_details", "args": {"product_id": product.id}, "id": "c1"}
    out = graph.compile().invoke({"messages": [AIMessage(content="", tool_calls=[call])]})
    message = out["messages"][-1]
    assert product.title in message.content and f"P{product.id}" in message.content


def test_the_example_plugin_is_installed_and_reached_in_both_languages(shop, vocabulary):
    registry = load_registry()  # built-ins plus every installed plugin
    assert registry.get("shipping_estimate").source == "plugin"
    agent = Agent(shop, "demo", registry=registry, vocabulary=vocabulary)
    for first, question in (
        ("waterproof hiking boots for my wife under 150 dollars",
         "how long would shipping take for the first one?"),
        ("推荐几款登山靴", "第一个要多久能送到？"),
    ):  # fmt: skip
        state = new_state()
        shown = agent.turn(state, first, "u0202")
        reply = agent.turn(state, question, "u0202")
        assert reply.plan["tool"] == "shipping_estimate"
        step = reply.trace[0]
        assert (
            step.tool == "shipping_estimate"
            and step.arguments["product_id"] == shown.products[0].product_id
        )
        days = "天" if state.language == "zh" else "days"
        assert days in reply.text
        cited = reply.answer[0].citations
        assert cited[0].startswith("T") and f"P{shown.products[0].product_id}" in cited
