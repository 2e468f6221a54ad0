"""``HParams``: the project's re-creation of TF 1.x ``tf.contrib.training.HParams``.

``tf.contrib`` was removed in TensorFlow 2.0 and no installable TensorFlow has ``HParams`` any more. This
class keeps the TF 1.x API and behaviour so old code runs with only its import changed:

    hparams = HParams(learning_rate=0.01, layers=[64, 32], use_bn=False)
    hparams.learning_rate                      # attribute access
    hparams.parse("learning_rate=0.1,layers=[128,64],use_bn=true")   # typed parsing, as TF 1.x
    hparams.set_hparam("learning_rate", 1)     # ints are accepted for floats (cast to 1.0), not the reverse
    hparams.values(), hparams.to_json(), hparams.parse_json(...), hparams.override_from_dict(...)
    hparams.set_from_map(...)                  # TF 1.x's deprecated alias of override_from_dict (warns)

A hyper-parameter's type is fixed by its value at construction (for a list, by its first element);
every later value is checked against it with TF 1.x's casting rules. An ``HParams`` can be passed as an
Estimator's ``params``: ``tf.estimator.Estimator`` copies ``params`` with ``copy.deepcopy``, which works.

Introduced in ``notebooks/02_model_fn_and_estimatorspec.ipynb``; used by ``helpers.experiment``.
"""

from __future__ import annotations

import json
import numbers
import re
import warnings

__all__ = ["HParams", "parse_values"]

# One clause of parse(): name, optional [index], '=', a scalar or a [list]; clauses separated by commas.
_PARAM_RE = re.compile(
    r"""
    (?P<name>[a-zA-Z][\w.]*)        # hyper-parameter name (TF 1.x allowed '.', reachable via getattr)
    (\[\s*(?P<index>\d+)\s*\])?     # optional list index: layers[1]=64
    \s*=\s*
    ((?P<val>[^,\[]*)               # a scalar value
     |
     \[(?P<vals>[^\]]*)\])          # or a [list, of, values]
    ($|,\s*)""",
    re.VERBOSE,
)


def _type_name(t) -> str:
    return getattr(t, "__name__", str(t))


def _cast_to_type_if_compatible(name: str, param_type: type, value):
    """Cast ``value`` to ``param_type`` under TF 1.x's rules, or raise ValueError.

    Refused, as in TF 1.x: a non-string for a string, bool <-> anything else, a non-integer for an int,
    a non-number for a float. Accepted: an int for a float (cast), None when the declared type is None.
    """
    fail = f"Could not cast hparam '{name}' of type '{_type_name(param_type)}' from value {value!r}"
    if type(value) is param_type:  # exactly the declared type (also any class): kept as it is, never re-built
        return value
    if issubclass(param_type, type(None)):
        return value
    if issubclass(param_type, (str, bytes)) and not isinstance(value, (str, bytes)):
        raise ValueError(fail)
    if issubclass(param_type, bool) != isinstance(value, bool):
        raise ValueError(fail)
    if issubclass(param_type, numbers.Integral) and not isinstance(value, numbers.Integral):
        raise ValueError(fail)
    if issubclass(param_type, numbers.Number) and not isinstance(value, numbers.Number):
        raise ValueError(fail)
    return param_type(value)


def parse_values(values: str, type_map: dict, ignore_unknown: bool = False) -> dict:
    """Parse ``"a=1,b=[1,2],c[0]=3"`` into ``{'a': 1, 'b': [1, 2], 'c': {0: 3}}`` using ``type_map``.

    Errors (ValueError), with TF 1.x's wording: malformed text, an unknown name, a value that does not
    parse as the parameter's type, the same name assigned twice, a list assigned to an index.
    With ``ignore_unknown=True`` a name missing from ``type_map`` is skipped instead.
    """
    if not isinstance(values, str):
        raise TypeError(f"parse() takes a string like 'lr=0.1,layers=[64,32]', not {type(values).__name__}")
    results: dict = {}
    pos = 0
    while pos < len(values):
        m = _PARAM_RE.match(values, pos)
        if not m:
            raise ValueError(f"Malformed hyperparameter value: {values[pos:]}")
        pos = m.end()
        d = m.groupdict()
        name = d["name"]
        if name not in type_map:
            if ignore_unknown:
                continue
            known = ", ".join(sorted(type_map)) or "none"
            raise ValueError(f"Unknown hyperparameter type for {name} (known hyperparameters: {known})")
        type_ = type_map[name]

        def fail(value, name=name, type_=type_):
            raise ValueError(
                f"Could not parse hparam '{name}' of type '{_type_name(type_)}' with value '{value}' in {values}"
            )

        def parse(text, type_=type_, fail=fail):
            text = text.strip()
            if type_ is bool:
                if text in ("true", "True"):
                    return True
                if text in ("false", "False"):
                    return False
                try:
                    return bool(int(text))
                except ValueError:
                    fail(text)
            try:
                return type_(text)
            except (ValueError, TypeError):
                fail(text)

        def reuse(label):
            raise ValueError(f"Multiple assignments to variable '{label}' in {values}")

        if d["val"] is not None:
            value = parse(d["val"])
            if d["index"] is None:
                if name in results:
                    reuse(name)
                results[name] = value
            else:
                slot = results.setdefault(name, {})
                if not isinstance(slot, dict):
                    reuse(name)
                index = int(d["index"])
                if index in slot:
                    reuse(f"{name}[{index}]")
                slot[index] = value
        elif d["vals"] is not None:
            if d["index"] is not None:
                raise ValueError("Assignment of a list to a list index.")
            if name in results:
                reuse(name)
            results[name] = [parse(e) for e in re.split("[ ,]", d["vals"]) if e]
        else:  # pragma: no cover - the regex always fills one of the two
            fail("")
    return results


_NAME_RE = re.compile(r"[a-zA-Z][\w.]*")  # what parse() can address; TF 1.x also allowed 'a.b'


def _remove_callables(x):
    """TF 1.x's to_json left callables out, at any depth of dicts and lists."""
    if isinstance(x, dict):
        return {k: _remove_callables(v) for k, v in x.items() if not callable(v)}
    if isinstance(x, list):
        return [_remove_callables(v) for v in x if not callable(v)]
    return x


class HParams:
    """Hyper-parameters as typed name-value pairs, with TF 1.x ``tf.contrib.training.HParams`` behaviour."""

    _HAS_DYNAMIC_ATTRIBUTES = True

    def __init__(self, hparam_def=None, model_structure=None, **kwargs):
        if hparam_def is not None:
            raise ValueError(
                "HParams(hparam_def=...) took a HParamDef protocol buffer from tf.contrib, which no longer "
                "exists; build from keyword arguments, a dict (HParams(**d)) or JSON (HParams().parse_json(s))"
            )
        object.__setattr__(self, "_hparam_types", {})
        object.__setattr__(self, "_model_structure", model_structure)
        for name, value in kwargs.items():
            self.add_hparam(name, value)

    # -- defining --------------------------------------------------------------------------------------
    def add_hparam(self, name: str, value) -> None:
        """Add a hyper-parameter; its type is that of ``value`` (of its first element for a list)."""
        if not isinstance(name, str) or not _NAME_RE.fullmatch(name):
            raise ValueError(f"Hyperparameter name must be a letter then letters, digits, '_' or '.', not {name!r}")
        if getattr(self, name, None) is not None:
            raise ValueError(f"Hyperparameter name is reserved: {name}")
        if isinstance(value, (list, tuple)):
            if not value:
                raise ValueError(f"Multi-valued hyperparameters cannot be empty: {name}")
            self._hparam_types[name] = (type(value[0]), True)
        else:
            self._hparam_types[name] = (type(value), False)
        object.__setattr__(self, name, value)

    def del_hparam(self, name: str) -> None:
        """Remove a hyper-parameter (silently does nothing if there is none of that name, as TF 1.x)."""
        if name in self._hparam_types:
            object.__delattr__(self, name)
            del self._hparam_types[name]

    # -- setting ---------------------------------------------------------------------------------------
    def set_hparam(self, name: str, value) -> None:
        """Set an existing hyper-parameter, checking the value against its type (TF 1.x casting rules)."""
        if name not in self._hparam_types:
            raise KeyError(
                f"Unknown hyperparameter {name!r}: known ones are {', '.join(sorted(self._hparam_types)) or 'none'}"
                " (use add_hparam to add a new one)"
            )
        param_type, is_list = self._hparam_types[name]
        if isinstance(value, list):
            if not is_list:
                raise ValueError(f"Must not pass a list for single-valued parameter: {name}")
            object.__setattr__(self, name, [_cast_to_type_if_compatible(name, param_type, v) for v in value])
        else:
            if is_list:
                raise ValueError(f"Must pass a list for multi-valued parameter: {name}.")
            object.__setattr__(self, name, _cast_to_type_if_compatible(name, param_type, value))

    def __setattr__(self, name, value):
        # TF 1.x let `hparams.x = v` through unchecked. Here an existing hyper-parameter is type-checked
        # like set_hparam (an int for a float is still fine), and a new name is set as TF 1.x did - a plain
        # attribute, not a hyper-parameter - with a warning, because it is usually a typo
        # (`hparams.learnig_rate = 0.1` silently trains with the old learning rate).
        if name.startswith("_"):
            object.__setattr__(self, name, value)
        elif name in self._hparam_types:
            self.set_hparam(name, value)
        else:
            warnings.warn(
                f"{name!r} is not a hyperparameter (known: {', '.join(sorted(self._hparam_types)) or 'none'}): "
                f"it is set as a plain attribute and left out of values(); use add_hparam({name!r}, value) "
                "to add a hyperparameter",
                UserWarning,
                stacklevel=2,
            )
            object.__setattr__(self, name, value)

    def override_from_dict(self, values_dict: dict) -> HParams:
        """Set several hyper-parameters from a dict; ``{'layers': {1: 64}}`` sets one list element."""
        for name, value in values_dict.items():
            if isinstance(value, dict):
                self._set_indices(name, value)
            else:
                self.set_hparam(name, value)
        return self

    def set_from_map(self, values_map: dict) -> HParams:
        """Deprecated in TF 1.x (it logged "Use `override_from_dict`"): an alias of ``override_from_dict``."""
        warnings.warn("HParams.set_from_map is deprecated: use `override_from_dict`.", DeprecationWarning,
                      stacklevel=2)
        return self.override_from_dict(values_map)

    def _set_indices(self, name, by_index: dict) -> None:
        if name not in self._hparam_types:
            self.set_hparam(name, None)  # raises the clear KeyError
        param_type, is_list = self._hparam_types[name]
        if not is_list:
            raise ValueError(f"Cannot index single-valued parameter: {name}")
        current = list(getattr(self, name))
        for index, v in by_index.items():
            if not 0 <= index < len(current):
                raise ValueError(f"Index {index} out of range for '{name}' of length {len(current)}")
            current[index] = _cast_to_type_if_compatible(name, param_type, v)
        object.__setattr__(self, name, current)

    def parse(self, values: str) -> HParams:
        """Override values from ``"name=value,name=[v1,v2],flag=true"`` (TF 1.x syntax and errors)."""
        type_map = {name: t for name, (t, _) in self._hparam_types.items()}
        return self.override_from_dict(parse_values(values, type_map))

    def parse_json(self, values_json: str) -> HParams:
        """Override values from a JSON object of name: value pairs."""
        try:
            values_map = json.loads(values_json)
        except json.JSONDecodeError as e:
            raise ValueError(f"parse_json: not valid JSON ({e}): {values_json[:80]!r}") from e
        if not isinstance(values_map, dict):
            raise ValueError(f"parse_json expects a JSON object of name: value pairs, got {type(values_map).__name__}")
        return self.override_from_dict(values_map)

    # -- reading ---------------------------------------------------------------------------------------
    def values(self) -> dict:
        """The hyper-parameters as a plain dict."""
        return {n: getattr(self, n) for n in self._hparam_types}

    def get(self, key: str, default=None):
        """The value of ``key``, or ``default`` if there is none; a default of the wrong type is an error."""
        if key in self._hparam_types:
            if default is not None:
                param_type, is_list = self._hparam_types[key]
                type_str = f"list<{_type_name(param_type)}>" if is_list else _type_name(param_type)
                fail = f"Hparam '{key}' of type '{type_str}' is incompatible with default={default}"
                if is_list != isinstance(default, list):
                    raise ValueError(fail)
                try:
                    for v in default if is_list else [default]:
                        _cast_to_type_if_compatible(key, param_type, v)
                except ValueError as e:
                    raise ValueError(f"{fail}. {e}") from e
            return getattr(self, key)
        return default

    def __contains__(self, key) -> bool:
        return key in self._hparam_types

    def to_json(self, indent=None, separators=None, sort_keys=False) -> str:
        """The hyper-parameters as a JSON object (callable values are left out, as in TF 1.x)."""
        return json.dumps(_remove_callables(self.values()), indent=indent, separators=separators, sort_keys=sort_keys)

    def set_model_structure(self, model_structure) -> None:
        object.__setattr__(self, "_model_structure", model_structure)

    def get_model_structure(self):
        return self._model_structure

    def __eq__(self, other) -> bool:
        return isinstance(other, HParams) and self.values() == other.values()

    __hash__ = None

    def __str__(self) -> str:
        return str(sorted(self.values().items()))

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self})"

    def __deepcopy__(self, memo):
        import copy

        new = HParams(model_structure=self._model_structure)
        for name, (t, is_list) in self._hparam_types.items():
            new._hparam_types[name] = (t, is_list)
            object.__setattr__(new, name, copy.deepcopy(getattr(self, name), memo))
        return new
