"""The WebSocket protocol's checks: every bad message names its field."""
import json

import pytest

from glassgrad.web.schema import DEFAULT_CONFIG, MAX_MESSAGE_CHARS, MessageError, merge_config, parse


def bad(message) -> MessageError:
    text = message if isinstance(message, str) else json.dumps(message)
    with pytest.raises(MessageError) as info:
        parse(text)
    return info.value


@pytest.mark.parametrize("message", [
    {"type": "play"}, {"type": "ack", "frame": 3}, {"type": "stepthrough", "sample": 2},
    {"type": "config", "config": {"hidden": [], "lr": 1, "dataset": "sine", "loss": "huber"}},
    {"type": "race", "runners": [{"optimizer": "sgd", "lr": 0.1}, {"optimizer": "adamw", "lr": 0.01,
                                                                    "weight_decay": 0.01}], "steps": 50},
])
def test_good_messages_pass_through(message):
    assert parse(json.dumps(message)) == message


@pytest.mark.parametrize("text, field", [
    ("{not json", None), ("[1, 2]", "message"), ('"play"', "message"), ('{"kind": "play"}', "type"),
    ('{"type": "explode"}', "type"), ('{"type": "play", "now": true}', "now"),
    ('{"type": "config"}', "config"), ('{"type": "config", "config": []}', "config"),
    ('{"type": "config", "config": {"colour": "red"}}', "config.colour"),
    ('{"type": "config", "config": {"lr": NaN}}', None),
    ('{"type": "config", "config": {"lr": 1e999}}', "config.lr"),
    ('{"type": "config", "config": {"lr": 50}}', "config.lr"),
    ('{"type": "config", "config": {"lr": "0.1"}}', "config.lr"),
    ('{"type": "config", "config": {"batch_size": 0}}', "config.batch_size"),
    ('{"type": "config", "config": {"batch_size": 2.5}}', "config.batch_size"),
    ('{"type": "config", "config": {"batch_size": true}}', "config.batch_size"),
    ('{"type": "config", "config": {"hidden": [8, 8, 8, 8, 8, 8, 8, 8, 8]}}', "config.hidden"),
    ('{"type": "config", "config": {"hidden": [8, 65]}}', "config.hidden[1]"),
    ('{"type": "config", "config": {"hidden": 8}}', "config.hidden"),
    ('{"type": "config", "config": {"dataset": "mnist"}}', "config.dataset"),
    ('{"type": "ack"}', "frame"), ('{"type": "ack", "frame": -1}', "frame"),
    ('{"type": "race", "runners": [{"optimizer": "sgd", "lr": 0.1}]}', "runners"),
    ('{"type": "race", "runners": [{"optimizer": "sgd"}, {"optimizer": "adam", "lr": 0.1}]}', "runners[0].lr"),
    ('{"type": "race", "runners": [{"optimizer": "sgd", "lr": 1}, {"optimizer": "lbfgs", "lr": 1}]}',
     "runners[1].optimizer"),
    ('{"type": "race", "runners": [], "steps": 5}', "runners"),
])
def test_bad_messages_name_the_field(text, field):
    assert bad(text).field == field


def test_limits_and_edges():
    assert "too long" in bad("x" * (MAX_MESSAGE_CHARS + 1)).reason
    assert bad("[" * 8000 + "]" * 8000).field in (None, "message")   # deep nesting: an error, no crash
    assert parse('{"type": "config", "config": {"batch_size": 4.0}}')["config"]["batch_size"] == 4
    with pytest.raises(MessageError, match="binary"):
        parse(b'{"type": "play"}')


def test_merge_rules():
    sine = merge_config(DEFAULT_CONFIG, {"dataset": "sine"})
    assert (sine["loss"], sine["noise"]) == ("mse", 0.1)          # the task's loss, the set's noise
    assert merge_config(DEFAULT_CONFIG, {"dataset": "blobs", "noise": 0.2})["noise"] == 0.2
    assert merge_config(sine, {"dataset": "moons"})["loss"] == "mse"  # MSE fits classification too
    with pytest.raises(MessageError) as info:
        merge_config(DEFAULT_CONFIG, {"loss": "huber"})
    assert info.value.field == "config.loss" and "spiral" in info.value.reason
