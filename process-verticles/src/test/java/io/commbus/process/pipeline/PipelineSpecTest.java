package io.commbus.process.pipeline;

import io.commbus.bus.config.ConfigException;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A pipeline spec, built and read, and every way it can be wrong, each named by its field. */
class PipelineSpecTest {

  /** The audio-style chain: a source, a gate, a mixer with two inputs, a sink. */
  private static PipelineSpec.Builder audio() {
    return PipelineSpec.builder("audio")
        .node(PipelineNode.python("tone", "pipeline_nodes:tone").withInputs().withConfig(new JsonObject().put("hz", 440)))
        .node(PipelineNode.python("noise", "pipeline_nodes:noise").withInputs())
        .node(PipelineNode.python("gate", "pipeline_nodes:gate"))
        .node(PipelineNode.python("mix", "pipeline_nodes:mix").withInputs("voice", "bed"))
        .node(PipelineNode.java("sink", "com.example.Sink").withOutputs().withPlacement("node-b"))
        .connect("tone", "gate")
        .connect("gate.out", "mix.voice", 16)
        .connect("noise", "mix.bed")
        .connect("mix", "sink", 128);
  }

  @Test
  void aBuiltSpecHasItsNodesChannelsAndOpenPorts() {
    PipelineSpec spec = audio().failurePolicy(FailurePolicy.RESTART).initTimeout(Duration.ofSeconds(5)).build();

    assertEquals("audio", spec.name());
    assertEquals(List.of("tone", "noise", "gate", "mix", "sink"), spec.nodes().stream().map(PipelineNode::id).toList());
    assertEquals(new Channel(new Port("gate", "out"), new Port("mix", "voice"), 16), spec.channels().get(1));
    assertEquals(PipelineSpec.DEFAULT_CAPACITY, spec.channels().get(0).capacity());
    assertEquals(FailurePolicy.RESTART, spec.failurePolicy());
    assertEquals(440, spec.node("tone").config().getInteger("hz"));
    assertEquals("node-b", spec.node("sink").placement().orElseThrow());
    assertEquals(List.of(), spec.inputs(), "every input is fed");
    assertEquals(List.of(), spec.outputs(), "the sink takes the last output");

    PipelineSpec open = PipelineSpec.builder("open").node(PipelineNode.python("vad", "nodes:vad")).build();
    assertEquals(List.of(new Port("vad", "in")), open.inputs());
    assertEquals(List.of(new Port("vad", "out")), open.outputs());
  }

  @Test
  void aSpecReadFromJsonIsTheSameAsOneBuilt() {
    PipelineSpec read = PipelineSpec.read(new JsonObject("""
        {"name": "audio", "failurePolicy": "restart", "initTimeout": "5s",
         "nodes": [
           {"id": "tone", "python": "pipeline_nodes:tone", "inputs": [], "config": {"hz": 440}},
           {"id": "noise", "python": "pipeline_nodes:noise", "inputs": []},
           {"id": "gate", "python": "pipeline_nodes:gate"},
           {"id": "mix", "python": "pipeline_nodes:mix", "inputs": ["voice", "bed"]},
           {"id": "sink", "java": "com.example.Sink", "outputs": [], "placement": "node-b"}],
         "connections": [
           {"from": "tone", "to": "gate"}, {"from": "gate.out", "to": "mix.voice", "capacity": 16},
           {"from": "noise", "to": "mix.bed"}, {"from": "mix", "to": "sink", "capacity": 128}]}
        """));
    PipelineSpec built = audio().failurePolicy(FailurePolicy.RESTART).initTimeout(Duration.ofSeconds(5)).build();

    assertEquals(built.channels(), read.channels());
    assertEquals(Duration.ofSeconds(5), read.initTimeout());
    assertEquals(built.node("mix").inputs(), read.node("mix").inputs());
    assertEquals(new PipelineNode.Kind(PipelineNode.Language.JAVA, "com.example.Sink"), read.node("sink").kind());
    assertEquals(440, read.node("tone").config().getInteger("hz"));
  }

  @ParameterizedTest(name = "{1}")
  @CsvSource(delimiter = '|', value = {
      "{'nodes': [{'id': 'a', 'python': 'm:f'}]}                                          | name: required: the pipeline's name",
      "{'name': 'a b', 'nodes': [{'id': 'a', 'python': 'm:f'}]}                            | name: must be letters",
      "{'name': 'p', 'nodes': []}                                                         | nodes: a pipeline has at least one node",
      "{'name': 'p', 'nodes': [{'id': 'a', 'python': 'm:f'}, {'id': 'a', 'python': 'm:g'}]} | nodes[1].id: \"a\" names two nodes",
      "{'name': 'p', 'nodes': [{'id': 'a'}]}                                               | nodes[0].python: a node runs Python",
      "{'name': 'p', 'nodes': [{'id': 'a', 'python': 'm:f', 'java': 'X'}]}                 | nodes[0].java: a node runs Python",
      "{'name': 'p', 'nodes': [{'id': 'a', 'python': 'nomodule'}]}                         | nodes[0].python: must be module:function",
      "{'name': 'p', 'nodes': [{'id': 'a b', 'python': 'm:f'}]}                            | nodes[0].id: must be 1 to 64",
      "{'name': 'p', 'nodes': [{'id': 'a.b', 'python': 'm:f'}]}                            | nodes[0].id: must be 1 to 64 letters, digits, '_' and '-' (no '.'",
      "{'name': 'p', 'nodes': [{'id': 'a', 'python': 'm:f', 'inputs': ['x', 'x']}]}        | nodes[0].inputs: port \"x\" is named twice",
      "{'name': 'p', 'nodes': [{'id': 'a', 'python': 'm:f', 'inputs': [], 'outputs': []}]} | nodes[0].inputs: node a has neither",
      "{'name': 'p', 'nodes': [{'id': 'a', 'python': 'm:f', 'colour': 'red'}]}             | nodes[0].colour",
      "{'name': 'p', 'nodes': [{'id': 'a', 'python': 'm:f'}], 'connections': [{'from': 'b', 'to': 'a'}]} | connections[0].from: no node \"b\" (the nodes are a)",
      "{'name': 'p', 'nodes': [{'id': 'a', 'python': 'm:f'}, {'id': 'b', 'python': 'm:g'}], 'connections': [{'from': 'a.left', 'to': 'b'}]} | connections[0].from: node a has no output \"left\" (it has out)",
      "{'name': 'p', 'nodes': [{'id': 'a', 'python': 'm:f', 'inputs': []}, {'id': 'b', 'python': 'm:g'}], 'connections': [{'from': 'b', 'to': 'a'}]} | connections[0].to: node a has no input \"in\" (it has none)",
      "{'name': 'p', 'nodes': [{'id': 'a', 'python': 'm:f'}, {'id': 'b', 'python': 'm:g'}, {'id': 'c', 'python': 'm:h'}], 'connections': [{'from': 'a', 'to': 'b'}, {'from': 'a', 'to': 'c'}]} | connections[1].from: port a.out is used by connections[0] already",
      "{'name': 'p', 'nodes': [{'id': 'a', 'python': 'm:f'}, {'id': 'b', 'python': 'm:g'}], 'connections': [{'from': 'a', 'to': 'b', 'capacity': 0}]} | connections[0].capacity: must be at least 1",
      "{'name': 'p', 'nodes': [{'id': 'a', 'python': 'm:f'}, {'id': 'b', 'python': 'm:g'}], 'connections': [{'from': 'a', 'to': 'b', 'capacity': 70000}]} | connections[0].capacity: must be at most 65536",
      "{'name': 'p', 'nodes': [{'id': 'a', 'python': 'm:f'}, {'id': 'b', 'python': 'm:g'}], 'connections': [{'from': 'a', 'to': 'b'}, {'from': 'b', 'to': 'a'}]} | connections: the channels form a cycle: a -> b -> a",
      "{'name': 'p', 'nodes': [{'id': 'a', 'python': 'm:f'}], 'connections': [{'from': 'a', 'to': 'a'}]} | connections: the channels form a cycle: a -> a",
      "{'name': 'p', 'nodes': [{'id': 'a', 'python': 'm:f'}], 'failurePolicy': 'retry'}    | failurePolicy: must be terminate or restart, was \"retry\"",
      "{'name': 'p', 'nodes': [{'id': 'a', 'python': 'm:f'}], 'initTimeout': '0s'}         | initTimeout: must be longer than zero",
  })
  void aWrongSpecNamesTheField(String json, String expected) {
    ConfigException wrong = assertThrows(ConfigException.class,
        () -> PipelineSpec.read(new JsonObject(json.replace('\'', '"'))));
    assertTrue(wrong.getMessage().startsWith(expected.replace("\\\"", "\"")), wrong.getMessage());
  }

  @Test
  void aNodesInputAndOutputMayShareAName() {
    PipelineSpec loop = PipelineSpec.builder("p")
        .node(PipelineNode.python("a", "m:f").withInputs("x").withOutputs("x"))
        .node(PipelineNode.python("b", "m:g").withInputs("x").withOutputs("x"))
        .connect("a.x", "b.x").build();
    assertEquals(List.of(new Port("a", "x")), loop.inputs());
    assertEquals(List.of(new Port("b", "x")), loop.outputs());
  }

  @Test
  void theBuilderChecksAsTheReaderDoes() {
    ConfigException port = assertThrows(ConfigException.class, () -> audio().connect("tone", "mix.voice").build());
    assertEquals("connections[4].from", port.field());
    ConfigException capacity = assertThrows(ConfigException.class, () -> PipelineSpec.builder("p")
        .node(PipelineNode.python("a", "m:f")).node(PipelineNode.python("b", "m:g")).connect("a", "b", -1).build());
    assertEquals("connections[0].capacity", capacity.field());
  }
}
