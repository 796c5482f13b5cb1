"""The neural models: GraphSAGE (per-relation mean aggregation), GCN, GAT and an edge-free MLP.

All share one shape: `forward(x, edge_index, edge_type=None, src=None, pair_x=None) -> [P, OUTPUTS]`:
the head reads the embedding of each pair's previous-occurrence node `src` (all nodes when None)
together with what is known of the target session before it starts (`pair_x`, zeros when None),
and outputs the *change* from that occurrence to the lift's next one (see `train.py`):
`[load_change_logit, load_change_rel, reps_change, rest_change_min, progress_logit,
e1rm_change_location, e1rm_change_log_scale]`.
Torch and PyG are imported when this module is imported; import it lazily.
"""

import torch
from torch import nn
from torch_geometric.nn import GATConv, GCNConv, SAGEConv

from workout_pipeline.model.config import NetConfig, as_config

# Output channels: change-or-not gate, load change / e1RM, reps change, rest change (minutes),
# progressed-or-not, and a logistic distribution (location, log scale) of the relative change of
# the top set's Epley e1RM (a prescription's chance of being met).
OUTPUTS = 7


class _Head(nn.Module):
    """Maps [hidden embedding, input embedding, pair features] to the outputs."""

    def __init__(self, hidden: int, out_channels: int, pair_channels: int = 0):
        super().__init__()
        self.pair_channels = pair_channels
        self.net = nn.Sequential(nn.Linear(2 * hidden + pair_channels, hidden), nn.ReLU(), nn.Linear(hidden, out_channels))

    def forward(self, h: torch.Tensor, h0: torch.Tensor, pair_x: torch.Tensor | None = None) -> torch.Tensor:
        if pair_x is None:
            pair_x = h.new_zeros((h.shape[0], self.pair_channels))
        return self.net(torch.cat([h, h0, pair_x], dim=-1))


class _PairHeadMixin:
    """`forward` = the head at the pairs' source nodes (every node when `src` is None)."""

    def forward(self, x, edge_index=None, edge_type=None, src=None, pair_x=None):
        """Per-pair outputs [P, out_channels] (P = N when `src` is None)."""
        h = self.embed(x, edge_index, edge_type)
        h0 = self.encoder(x)
        if src is not None:
            h, h0 = h[src], h0[src]
        return self.head(h, h0, pair_x)


class GraphSAGE(_PairHeadMixin, nn.Module):
    """GraphSAGE with one SAGEConv per edge relation per layer, summed, plus a root weight.

    Args:
        in_channels: node feature size.
        hidden_channels: embedding size.
        out_channels: outputs per node.
        num_layers: message-passing depth (hops).
        aggr: neighbour aggregation ("mean" or "max").
        num_relations: edge types (1 = plain homogeneous GraphSAGE).
        dropout: dropout between layers.
        pair_channels: size of the pair features the head reads.
    """

    def __init__(
        self,
        in_channels: int,
        hidden_channels: int = 64,
        out_channels: int = OUTPUTS,
        num_layers: int = 2,
        aggr: str = "mean",
        num_relations: int = 1,
        dropout: float = 0.1,
        pair_channels: int = 0,
    ):
        super().__init__()
        self.num_relations = num_relations
        self.encoder = nn.Sequential(nn.Linear(in_channels, hidden_channels), nn.ReLU())
        self.roots = nn.ModuleList(nn.Linear(hidden_channels, hidden_channels) for _ in range(num_layers))
        self.convs = nn.ModuleList(
            nn.ModuleList(
                SAGEConv(hidden_channels, hidden_channels, aggr=aggr, root_weight=False) for _ in range(num_relations)
            )
            for _ in range(num_layers)
        )
        self.norms = nn.ModuleList(nn.LayerNorm(hidden_channels) for _ in range(num_layers))
        self.dropout = nn.Dropout(dropout)
        self.head = _Head(hidden_channels, out_channels, pair_channels)

    def embed(self, x: torch.Tensor, edge_index: torch.Tensor, edge_type: torch.Tensor | None = None) -> torch.Tensor:
        """Node embeddings after the last message-passing layer."""
        h0 = self.encoder(x)
        h = h0
        if edge_type is None or self.num_relations == 1:
            by_relation = [edge_index]
        else:
            by_relation = [edge_index[:, edge_type == relation] for relation in range(self.num_relations)]
        for root, convs, norm in zip(self.roots, self.convs, self.norms):
            out = root(h)
            for conv, index in zip(convs, by_relation):
                out = out + conv(h, index)
            h = h + self.dropout(torch.relu(norm(out)))
        return h


class _ResidualGNN(_PairHeadMixin, nn.Module):
    """Encoder, residual message-passing layers over all edges as one relation, and the head.

    Subclasses only choose the convolution (`_conv`)."""

    def __init__(self, in_channels: int, hidden_channels: int, out_channels: int, num_layers: int, dropout: float, pair_channels: int = 0):
        super().__init__()
        self.encoder = nn.Sequential(nn.Linear(in_channels, hidden_channels), nn.ReLU())
        self.convs = nn.ModuleList(self._conv(hidden_channels) for _ in range(num_layers))
        self.norms = nn.ModuleList(nn.LayerNorm(hidden_channels) for _ in range(num_layers))
        self.dropout = nn.Dropout(dropout)
        self.head = _Head(hidden_channels, out_channels, pair_channels)

    def _conv(self, channels: int) -> nn.Module:
        raise NotImplementedError

    def embed(self, x: torch.Tensor, edge_index: torch.Tensor, edge_type: torch.Tensor | None = None) -> torch.Tensor:
        """Node embeddings after the last layer."""
        h = self.encoder(x)
        for conv, norm in zip(self.convs, self.norms):
            h = h + self.dropout(torch.relu(norm(conv(h, edge_index))))
        return h


class GCN(_ResidualGNN):
    """GCN over all edges as one relation (symmetric normalisation, self-loops)."""

    def _conv(self, channels: int) -> nn.Module:
        return GCNConv(channels, channels, cached=False)


class GAT(_ResidualGNN):
    """Graph attention over all edges (`heads` heads averaged per layer, self-loops)."""

    heads = 2  # read by _conv during the base constructor

    def _conv(self, channels: int) -> nn.Module:
        return GATConv(channels, channels, heads=self.heads, concat=False)


class MLP(_PairHeadMixin, nn.Module):
    """The same node features and head, no edges (answers "do the edges help?")."""

    def __init__(self, in_channels: int, hidden_channels: int, out_channels: int, num_layers: int, dropout: float, pair_channels: int = 0):
        super().__init__()
        self.encoder = nn.Sequential(nn.Linear(in_channels, hidden_channels), nn.ReLU())
        self.layers = nn.ModuleList(nn.Linear(hidden_channels, hidden_channels) for _ in range(num_layers))
        self.norms = nn.ModuleList(nn.LayerNorm(hidden_channels) for _ in range(num_layers))
        self.dropout = nn.Dropout(dropout)
        self.head = _Head(hidden_channels, out_channels, pair_channels)

    def embed(self, x: torch.Tensor, edge_index: torch.Tensor | None = None, edge_type: torch.Tensor | None = None) -> torch.Tensor:
        """Node embeddings (edges ignored)."""
        h = self.encoder(x)
        for layer, norm in zip(self.layers, self.norms):
            h = h + self.dropout(torch.relu(norm(layer(h))))
        return h


class SeedEnsemble(nn.Module):
    """K independently initialised copies of one network; outputs and embeddings are averaged.

    Each member is trained on its own loss (see `train._fit`), so averaging cancels much of the
    initialisation noise that makes a single small network's load calls seed-dependent.
    """

    def __init__(self, members: list[nn.Module]):
        super().__init__()
        self.members = nn.ModuleList(members)

    def member_outputs(self, x, edge_index=None, edge_type=None, src=None, pair_x=None) -> list[torch.Tensor]:
        """Each member's per-pair outputs (used for training: one loss per member)."""
        return [member(x, edge_index, edge_type, src, pair_x) for member in self.members]

    def embed(self, x: torch.Tensor, edge_index: torch.Tensor, edge_type: torch.Tensor | None = None) -> torch.Tensor:
        """Mean of the members' node embeddings."""
        return torch.stack([member.embed(x, edge_index, edge_type) for member in self.members]).mean(dim=0)

    def forward(self, x, edge_index=None, edge_type=None, src=None, pair_x=None) -> torch.Tensor:
        """Mean of the members' per-pair outputs."""
        return torch.stack(self.member_outputs(x, edge_index, edge_type, src, pair_x)).mean(dim=0)


def build_network(config: "NetConfig | dict", in_channels: int, num_relations: int, pair_channels: int = 0) -> nn.Module:
    """Instantiate a network from its `NetConfig` (or the dict form); `ensemble` K > 1 builds a
    `SeedEnsemble` of K such networks."""
    config = as_config(config)
    if config.ensemble > 1:
        single = NetConfig(**{**config.__dict__, "ensemble": 1})
        return SeedEnsemble([build_network(single, in_channels, num_relations, pair_channels) for _ in range(config.ensemble)])
    common = dict(out_channels=OUTPUTS, num_layers=config.layers, dropout=config.dropout, pair_channels=pair_channels)
    if config.arch == "sage":
        relations = num_relations if config.relational else 1
        return GraphSAGE(in_channels, config.hidden, aggr=config.aggr, num_relations=relations, **common)
    networks = {"gcn": GCN, "gat": GAT, "mlp": MLP}
    if config.arch not in networks:
        raise ValueError(f"unknown architecture {config.arch!r}")
    return networks[config.arch](in_channels, config.hidden, **common)
