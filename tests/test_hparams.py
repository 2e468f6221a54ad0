"""helpers.hparams.HParams keeps TF 1.x tf.contrib.training.HParams semantics, errors included."""

from __future__ import annotations

import copy
import json

import pytest

from helpers.hparams import HParams, parse_values


def make():
    return HParams(lr=0.001, layers=[64, 32], use_bn=False, name="cnn", steps=100)


def test_keyword_construction_attribute_access_values_and_in():
    h = make()
    assert h.lr == 0.001 and h.layers == [64, 32] and h.use_bn is False and h.name == "cnn"
    assert h.values() == {"lr": 0.001, "layers": [64, 32], "use_bn": False, "name": "cnn", "steps": 100}
    assert "lr" in h and "momentum" not in h
    assert str(h) == str(sorted(h.values().items()))
    assert repr(h).startswith("HParams([('layers'")


def test_parse_with_the_original_type_rules():
    h = make().parse("lr=0.01,layers=[128,64,10],use_bn=true,name=big,steps=5")
    assert h.values() == {"lr": 0.01, "layers": [128, 64, 10], "use_bn": True, "name": "big", "steps": 5}
    assert isinstance(h.lr, float)
    assert make().parse("lr=1").lr == 1.0 and isinstance(make().parse("lr=1").lr, float)  # int text for a float
    assert make().parse("use_bn=True").use_bn is True and make().parse("use_bn=0").use_bn is False
    assert make().parse("layers[1]=16").layers == [64, 16]  # index assignment
    assert make().parse("").values() == make().values()
    assert make().parse("lr = 0.5, steps = 7").steps == 7


@pytest.mark.parametrize("text, message", [
    ("momentum=0.9", r"Unknown hyperparameter type for momentum \(known hyperparameters: layers, lr, name"),
    ("steps=1.5", r"Could not parse hparam 'steps' of type 'int' with value '1.5' in steps=1.5"),
    ("lr=fast", r"Could not parse hparam 'lr' of type 'float' with value 'fast'"),
    ("use_bn=maybe", r"Could not parse hparam 'use_bn' of type 'bool' with value 'maybe'"),
    ("layers=3", r"Must pass a list for multi-valued parameter: layers"),
    ("lr=[1,2]", r"Must not pass a list for single-valued parameter: lr"),
    ("lr=1,lr=2", r"Multiple assignments to variable 'lr' in lr=1,lr=2"),
    ("layers[0]=[1]", r"Assignment of a list to a list index"),
    ("=3", r"Malformed hyperparameter value: =3"),
    ("layers[5]=1", r"Index 5 out of range for 'layers' of length 2"),
])
def test_parse_errors(text, message):
    h = make()
    before = h.values()
    with pytest.raises(ValueError, match=message):
        h.parse(text)
    if "Index" not in message:
        assert h.values() == before  # a parse error before any assignment changes nothing


def test_set_hparam_is_type_checked():
    h = make()
    h.set_hparam("lr", 1)
    assert h.lr == 1.0 and isinstance(h.lr, float)  # int -> float is allowed, as in TF 1.x
    h.set_hparam("layers", [1, 2, 3])
    assert h.layers == [1, 2, 3]
    for name, value, message in [
        ("steps", 2.5, r"Could not cast hparam 'steps' of type 'int' from value 2.5"),
        ("use_bn", 1, r"Could not cast hparam 'use_bn' of type 'bool' from value 1"),
        ("steps", True, r"Could not cast hparam 'steps' of type 'int' from value True"),
        ("name", 3, r"Could not cast hparam 'name' of type 'str' from value 3"),
        ("lr", "0.1", r"Could not cast hparam 'lr' of type 'float' from value '0.1'"),
        ("layers", 3, r"Must pass a list for multi-valued parameter: layers"),
        ("lr", [0.1], r"Must not pass a list for single-valued parameter: lr"),
    ]:
        with pytest.raises(ValueError, match=message):
            h.set_hparam(name, value)
    with pytest.raises(KeyError, match="Unknown hyperparameter 'momentum'.*add_hparam"):
        h.set_hparam("momentum", 0.9)


def test_add_and_del_hparam():
    h = make()
    h.add_hparam("momentum", 0.9)
    assert h.momentum == 0.9 and "momentum" in h.values()
    with pytest.raises(ValueError, match="Hyperparameter name is reserved: lr"):
        h.add_hparam("lr", 0.1)
    with pytest.raises(ValueError, match="Hyperparameter name is reserved: values"):
        h.add_hparam("values", 1)
    with pytest.raises(ValueError, match="Multi-valued hyperparameters cannot be empty: empty"):
        h.add_hparam("empty", [])
    h.del_hparam("momentum")
    assert "momentum" not in h and not hasattr(h, "momentum")
    h.del_hparam("never_there")  # silently nothing, as TF 1.x
    with pytest.raises(ValueError, match="reserved: lr"):
        HParams(**{"lr": 1}).add_hparam("lr", 2)


def test_get_with_defaults():
    h = make()
    assert h.get("lr") == 0.001 and h.get("missing") is None and h.get("missing", 5) == 5
    assert h.get("lr", 0.5) == 0.001 and h.get("lr", 1) == 0.001
    with pytest.raises(ValueError, match="Hparam 'lr' of type 'float' is incompatible with default=abc"):
        h.get("lr", "abc")
    with pytest.raises(ValueError, match=r"Hparam 'layers' of type 'list<int>' is incompatible with default=3"):
        h.get("layers", 3)


def test_override_from_dict_json_round_trip():
    h = make().override_from_dict({"lr": 0.1, "layers": [8]})
    assert h.lr == 0.1 and h.layers == [8]
    text = h.to_json(sort_keys=True)
    assert json.loads(text) == h.values()
    other = make().parse_json(text)
    assert other == h
    with pytest.raises(ValueError, match="not valid JSON"):
        h.parse_json("{lr: 1")
    with pytest.raises(ValueError, match="expects a JSON object"):
        h.parse_json("[1, 2]")
    with pytest.raises(ValueError, match="Could not cast hparam 'steps'"):
        h.parse_json('{"steps": "many"}')


def test_attribute_assignment():
    h = make()
    h.lr = 2  # type-checked like set_hparam
    assert h.lr == 2.0
    with pytest.raises(ValueError, match="Could not cast hparam 'steps'"):
        h.steps = "ten"
    with pytest.warns(UserWarning, match="'learnig_rate' is not a hyperparameter"):
        h.learnig_rate = 0.1  # a typo: TF 1.x set a plain attribute silently; here it warns
    assert h.learnig_rate == 0.1 and "learnig_rate" not in h.values()


def test_deepcopy_is_independent_and_estimator_params_work():
    h = make()
    c = copy.deepcopy(h)
    c.parse("layers=[1],lr=0.5")
    assert h.layers == [64, 32] and h.lr == 0.001 and c.lr == 0.5
    c.set_hparam("steps", 3)  # types survive the copy
    with pytest.raises(ValueError):
        c.set_hparam("steps", 0.5)


def test_hparam_def_protobuf_is_not_supported_with_a_reason():
    with pytest.raises(ValueError, match="HParamDef protocol buffer from tf.contrib, which no longer exists"):
        HParams(hparam_def=object())


def test_parse_values_function():
    assert parse_values("a=1,b=[1,2],c[0]=3", {"a": int, "b": int, "c": int}) == {"a": 1, "b": [1, 2], "c": {0: 3}}
    with pytest.raises(TypeError, match="parse\\(\\) takes a string"):
        make().parse({"lr": 1})


# --- what TF 1.x's hparam_test.py also pinned down ---------------------------------------------------------
def test_set_from_map_is_the_deprecated_alias_of_override_from_dict():
    h = HParams(a=1, b=2.0, c="tanh")
    with pytest.warns(DeprecationWarning, match="set_from_map is deprecated: use `override_from_dict`"):
        assert h.set_from_map({"a": -2, "c": "identity"}) is h
    assert h.values() == {"a": -2, "b": 2.0, "c": "identity"}
    with pytest.warns(DeprecationWarning), pytest.raises(ValueError, match="Could not cast hparam 'a'"):
        h.set_from_map({"a": "two"})


def test_a_value_of_exactly_the_declared_type_is_kept_as_it_is():
    class Context:
        def __init__(self, a, b=0):
            self.a, self.b = a, b

    h = HParams(x=Context(a=1, b=1))
    new = Context(a=100, b=100)
    h.set_hparam("x", new)
    assert h.x is new  # not rebuilt as Context(new)
    h = HParams(none=None)
    h.set_hparam("none", "1")  # TF 1.x: a None hyperparameter takes anything
    assert h.none == "1"


def test_names_with_a_period_as_tf1_allowed():
    h = HParams()
    h.add_hparam("a.b", 0.0)
    h.parse("a.b=1.0")
    assert getattr(h, "a.b") == 1.0 and h.values() == {"a.b": 1.0}
    with pytest.raises(ValueError, match="Could not parse hparam 'a.b'"):
        h.parse("a.b=abc")
    with pytest.raises(ValueError, match="Hyperparameter name must be a letter"):
        h.add_hparam("1st", 1)


def test_parse_values_ignore_unknown():
    assert parse_values("arr[0]=10,C=5,arr[1]=20,B[0]=kkk,L[5]=100", {"arr": int, "L": int},
                        ignore_unknown=True) == {"arr": {0: 10, 1: 20}, "L": {5: 100}}
    assert parse_values("arr[1]=5", {}, ignore_unknown=True) == {}
    with pytest.raises(ValueError, match="Assignment of a list to a list index"):
        parse_values("arr[1]=[1,2,3],c=8", {"arr": int}, ignore_unknown=True)
    with pytest.raises(ValueError, match="Unknown hyperparameter type for arr"):
        parse_values("arr[1]=1", {"arr[1]": int})


def test_parse_edge_values_from_tf1():
    h = HParams(aaa=1, b=2.0, c_c="relu6", d="/a/b=c/d", lst=["x"])
    h.parse("c_c=,b=0,")
    assert h.c_c == "" and h.b == 0.0
    h.parse("c_c=2.3\",b=+2,")
    assert h.c_c == '2.3"' and h.b == 2.0
    h.parse("b=1.5,d=/a=b/c/d,aaa=10,")
    assert (h.aaa, h.b, h.d) == (10, 1.5, "/a=b/c/d")
    h.parse("lst=[]")
    assert h.lst == []
    with pytest.raises(ValueError, match="Could not parse hparam 'aaa'"):
        h.parse("aaa=1.0")


def test_to_json_leaves_out_callables_at_any_depth():
    h = HParams(aaa=123, fn=print, lst=[1, 2])
    assert h.to_json() == '{"aaa": 123, "lst": [1, 2]}'
    assert HParams(aaa=123).to_json(indent=2) == '{\n  "aaa": 123\n}'
    assert HParams(aaa=123).to_json(separators=(";", "=")) == '{"aaa"=123}'
    from helpers.hparams import _remove_callables

    assert _remove_callables({"a": [1, print, {"f": len, "g": 2}]}) == {"a": [1, {"g": 2}]}


def test_del_then_add_changes_the_type():
    h = HParams(aaa=1, b=2.0)
    with pytest.raises(ValueError):
        h.set_hparam("aaa", "will fail")
    h.del_hparam("aaa")
    h.add_hparam("aaa", "will work")
    h.set_hparam("aaa", "still works")
    assert h.get("aaa") == "still works"
