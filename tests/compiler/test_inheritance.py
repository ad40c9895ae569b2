"""Flows built from other classes of the same file: what the flow gets from its bases (as Python's method
resolution order finds it) and which class is the flow. The runtime's choice of class is checked against
the compiler's in tests/runtime/test_runtime_loader_inheritance.py."""

from __future__ import annotations

from flowkit import compile_text

BASE = '''
from metaflow import FlowSpec, Parameter, project, retry, schedule, step


class Steps:
    @step
    def middle(self):
        self.next(self.end)


@project(name="shared")
class BaseFlow(FlowSpec):
    """The base."""

    alpha = Parameter("alpha", default=1)
    hidden = Parameter("hidden", default=2)

    @step
    def start(self):
        self.next(self.middle)

    @retry(times=1)
    @step
    def end(self):
        pass
'''


def _names(items) -> list[str]:
    return sorted(item.name for item in items)


def test_a_flow_gets_its_bases_steps_parameters_and_decorators_and_overrides_win():
    compiled = compile_text(BASE + '''

class ChildFlow(BaseFlow, Steps):
    beta = Parameter("beta", default="b")
    hidden = 5

    @step
    def start(self):
        self.x = 1
        self.next(self.middle)
''')
    assert compiled.diagnostics == [], [(d.code, d.message) for d in compiled.diagnostics]
    flow = compiled.flow
    assert flow.name == "ChildFlow" and flow.docstring is None  # a class's docstring is its own
    assert _names(flow.steps) == ["end", "middle", "start"]
    assert flow.step("start").span.line > flow.step("end").span.line  # ChildFlow's start, not BaseFlow's
    assert flow.step("end").decorator("retry") is not None
    assert _names(flow.parameters) == ["alpha", "beta"]  # `hidden = 5` hides the base's parameter
    assert [d.name for d in flow.decorators] == ["project"]


def test_a_plain_method_hides_a_base_step():
    compiled = compile_text(BASE + '''

class ChildFlow(BaseFlow, Steps):
    def middle(self):
        return "a helper now"
''')
    assert [d.code for d in compiled.diagnostics] == ["FLC014"]  # start -> middle, no longer a step


def test_the_base_can_still_be_chosen_by_name():
    compiled = compile_text('''
from metaflow import FlowSpec, step


class BaseFlow(FlowSpec):
    @step
    def start(self):
        self.next(self.end)

    @step
    def end(self):
        pass


class LoudFlow(BaseFlow):
    @step
    def end(self):
        print("done")
''', flow="BaseFlow")
    assert compiled.diagnostics == [] and compiled.flow.name == "BaseFlow"


def test_a_flow_decorator_given_by_a_base_and_the_flow_is_given_twice():
    compiled = compile_text(BASE + '''

@project(name="mine")
class ChildFlow(BaseFlow, Steps):
    pass
''')
    assert [d.code for d in compiled.diagnostics] == ["FLC306"]  # Metaflow: DuplicateFlowDecoratorException


def test_three_levels_and_a_mixin_listed_first_follow_pythons_order():
    compiled = compile_text('''
from metaflow import FlowSpec, Parameter, step


class EndFirst:
    @step
    def end(self):
        self.who = "mixin"


class A(FlowSpec):
    @step
    def start(self):
        self.next(self.end)

    @step
    def end(self):
        self.who = "a"


class B(A):
    size = Parameter("size", default=3)


class C(EndFirst, B):
    pass
''')
    assert compiled.diagnostics == [] and compiled.flow.name == "C"
    assert compiled.flow.step("end").span.line == 7  # EndFirst comes before A in C's MRO
    assert _names(compiled.flow.parameters) == ["size"]


def test_bases_from_the_standard_library_are_fine_and_others_are_flc070():
    text = '''
import collections.abc
from metaflow import FlowSpec, step
from company import mixins


class MyFlow(FlowSpec, collections.abc.Hashable, mixins.Steps):
    @step
    def start(self):
        self.next(self.end)

    @step
    def end(self):
        pass
'''
    compiled = compile_text(text)
    assert [(d.code, d.span.col) for d in compiled.diagnostics] == [("FLC070", 50)]
    assert "company" in compiled.diagnostics[0].message


def test_a_class_of_steps_on_an_imported_flow_is_flc070_not_no_flow():
    compiled = compile_text('''
from metaflow import step
from company.flows import BaseFlow


class MyFlow(BaseFlow):
    @step
    def start(self):
        self.next(self.end)
''')
    assert [d.code for d in compiled.diagnostics] == ["FLC070"]


TWO_CHILDREN = '''
from metaflow import FlowSpec, step


class BaseFlow(FlowSpec):
    @step
    def start(self):
        self.next(self.end)

    @step
    def end(self):
        pass


class FirstFlow(BaseFlow):
    pass


class SecondFlow(BaseFlow):
    pass
'''


def test_the_main_block_names_the_flow_as_under_metaflow_and_tasks_name_it_too():
    from flowc.compiler.plan import build_plan

    assert [d.code for d in compile_text(TWO_CHILDREN).diagnostics] == ["FLC003"]
    for main, chosen in (("SecondFlow()", "SecondFlow"), ("BaseFlow()", "BaseFlow")):
        compiled = compile_text(TWO_CHILDREN + f'\n\nif "__main__" == __name__:\n    {main}\n')
        assert compiled.diagnostics == [] and compiled.flow.name == chosen
        assert build_plan(compiled.graph).task("start").command[-2:] == ("--flow", chosen)
    both = compile_text(TWO_CHILDREN + '\n\nif __name__ == "__main__":\n    FirstFlow()\n    SecondFlow()\n')
    assert [d.code for d in both.diagnostics] == ["FLC003"]


def test_a_single_flow_is_not_named_in_its_tasks():
    from flowc.compiler.plan import build_plan

    compiled = compile_text(TWO_CHILDREN.split("class FirstFlow")[0])
    assert "--flow" not in build_plan(compiled.graph).task("start").command
