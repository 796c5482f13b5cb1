"""The neural models: GraphSAGE (per-relation mean aggregation), GCN, GAT and an edge-free MLP.

All share one shape: `forward(x, edge_index, edge_type=None) -> [N, OUTPUTS]` where the outputs
per node are the *change* from this occurrence to the lift's next one:
`[load_change_logit, load_change_rel, reps_change, rest_change_min]` (see `train.py`).
Torch and PyG are imported when this module is imported; import it lazily.
"""

import torch
from torch import nn
from torch_geometric.nn import GATConv, GCNConv, SAGEConv

# Output channels: change-or-not gate, load change / e1RM, reps change, rest change (minutes).
OUTPUTS = 4


class _Head(nn.Module):
    """Maps [hidden embedding, input embedding] to the outputs."""

    def __init__(self, hidden: int, out_channels: int):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(2 * hidden, hidden), nn.ReLU(), nn.Linear(hidden, out_channels))

    def forward(self, h: torch.Tensor, h0: torch.Tensor) -> torch.Tensor:
        return self.net(torch.cat([h, h0], dim=-1))


class GraphSAGE(nn.Module):
    """GraphSAGE with one SAGEConv per edge relation per layer, summed, plus a root weight.

    Args:
        in_channels: node feature size.
        hidden_channels: embedding size.
        out_channels: outputs per node.
        num_layers: message-passing depth (hops).
        aggr: neighbour aggregation ("mean" or "max").
        num_relations: edge types (1 = plain homogeneous GraphSAGE).
        dropout: dropout between layers.
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
        self.head = _Head(hidden_channels, out_channels)

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

    def forward(self, x: torch.Tensor, edge_index: torch.Tensor, edge_type: torch.Tensor | None = None) -> torch.Tensor:
        """Per-node outputs [N, out_channels]."""
        return self.head(self.embed(x, edge_index, edge_type), self.encoder(x))


class _ResidualGNN(nn.Module):
    """Encoder, residual message-passing layers over all edges as one relation, and the head.

    Subclasses only choose the convolution (`_conv`)."""

    def __init__(self, in_channels: int, hidden_channels: int, out_channels: int, num_layers: int, dropout: float):
        super().__init__()
        self.encoder = nn.Sequential(nn.Linear(in_channels, hidden_channels), nn.ReLU())
        self.convs = nn.ModuleList(self._conv(hidden_channels) for _ in range(num_layers))
        self.norms = nn.ModuleList(nn.LayerNorm(hidden_channels) for _ in range(num_layers))
        self.dropout = nn.Dropout(dropout)
        self.head = _Head(hidden_channels, out_channels)

    def _conv(self, channels: int) -> nn.Module:
        raise NotImplementedError

    def embed(self, x: torch.Tensor, edge_index: torch.Tensor, edge_type: torch.Tensor | None = None) -> torch.Tensor:
        """Node embeddings after the last layer."""
        h = self.encoder(x)
        for conv, norm in zip(self.convs, self.norms):
            h = h + self.dropout(torch.relu(norm(conv(h, edge_index))))
        return h

    def forward(self, x: torch.Tensor, edge_index: torch.Tensor, edge_type: torch.Tensor | None = None) -> torch.Tensor:
        """Per-node outputs [N, out_channels]."""
        return self.head(self.embed(x, edge_index), self.encoder(x))


class GCN(_ResidualGNN):
    """GCN over all edges as one relation (symmetric normalisation, self-loops)."""

    def __init__(self, in_channels: int, hidden_channels: int = 64, out_channels: int = OUTPUTS, num_layers: int = 2, dropout: float = 0.1):
        super().__init__(in_channels, hidden_channels, out_channels, num_layers, dropout)

    def _conv(self, channels: int) -> nn.Module:
        return GCNConv(channels, channels, cached=False)


class GAT(_ResidualGNN):
    """Graph attention over all edges (`heads` heads averaged per layer, self-loops)."""

    def __init__(self, in_channels: int, hidden_channels: int = 64, out_channels: int = OUTPUTS, num_layers: int = 2, heads: int = 2, dropout: float = 0.1):
        self.heads = heads  # read by _conv during the base constructor
        super().__init__(in_channels, hidden_channels, out_channels, num_layers, dropout)

    def _conv(self, channels: int) -> nn.Module:
        return GATConv(channels, channels, heads=self.heads, concat=False)


class MLP(nn.Module):
    """The same node features and head, no edges (answers "do the edges help?")."""

    def __init__(self, in_channels: int, hidden_channels: int = 64, out_channels: int = OUTPUTS, num_layers: int = 2, dropout: float = 0.1):
        super().__init__()
        self.encoder = nn.Sequential(nn.Linear(in_channels, hidden_channels), nn.ReLU())
        self.layers = nn.ModuleList(nn.Linear(hidden_channels, hidden_channels) for _ in range(num_layers))
        self.norms = nn.ModuleList(nn.LayerNorm(hidden_channels) for _ in range(num_layers))
        self.dropout = nn.Dropout(dropout)
        self.head = _Head(hidden_channels, out_channels)

    def embed(self, x: torch.Tensor, edge_index: torch.Tensor | None = None, edge_type: torch.Tensor | None = None) -> torch.Tensor:
        """Node embeddings (edges ignored)."""
        h = self.encoder(x)
        for layer, norm in zip(self.layers, self.norms):
            h = h + self.dropout(torch.relu(norm(layer(h))))
        return h

    def forward(self, x: torch.Tensor, edge_index: torch.Tensor | None = None, edge_type: torch.Tensor | None = None) -> torch.Tensor:
        """Per-node outputs [N, out_channels]."""
        return self.head(self.embed(x), self.encoder(x))


class SeedEnsemble(nn.Module):
    """K independently initialised copies of one network; outputs and embeddings are averaged.

    Each member is trained on its own loss (see `train._fit`), so averaging cancels much of the
    initialisation noise that makes a single small network's load calls seed-dependent.
    """

    def __init__(self, members: list[nn.Module]):
        super().__init__()
        self.members = nn.ModuleList(members)

    def member_outputs(self, x: torch.Tensor, edge_index: torch.Tensor, edge_type: torch.Tensor | None = None) -> list[torch.Tensor]:
        """Each member's per-node outputs (used for training: one loss per member)."""
        return [member(x, edge_index, edge_type) for member in self.members]

    def embed(self, x: torch.Tensor, edge_index: torch.Tensor, edge_type: torch.Tensor | None = None) -> torch.Tensor:
        """Mean of the members' node embeddings."""
        return torch.stack([member.embed(x, edge_index, edge_type) for member in self.members]).mean(dim=0)

    def forward(self, x: torch.Tensor, edge_index: torch.Tensor, edge_type: torch.Tensor | None = None) -> torch.Tensor:
        """Mean of the members' per-node outputs."""
        return torch.stack(self.member_outputs(x, edge_index, edge_type)).mean(dim=0)


def build_network(config: dict, in_channels: int, num_relations: int) -> nn.Module:
    """Instantiate a network from a JSON-able config {"arch", "hidden", "layers", "aggr", "dropout",
    "ensemble"}; "ensemble": K > 1 builds a `SeedEnsemble` of K such networks."""
    members = int(config.get("ensemble", 1))
    if members > 1:
        single = {k: v for k, v in config.items() if k != "ensemble"}
        return SeedEnsemble([build_network(single, in_channels, num_relations) for _ in range(members)])
    arch = config["arch"]
    hidden = int(config.get("hidden", 64))
    layers = int(config.get("layers", 2))
    dropout = float(config.get("dropout", 0.1))
    if arch == "sage":
        relations = num_relations if config.get("relational", True) else 1
        return GraphSAGE(in_channels, hidden, OUTPUTS, layers, config.get("aggr", "mean"), relations, dropout)
    if arch == "gcn":
        return GCN(in_channels, hidden, OUTPUTS, layers, dropout)
    if arch == "gat":
        return GAT(in_channels, hidden, OUTPUTS, layers, dropout=dropout)
    if arch == "mlp":
        return MLP(in_channels, hidden, OUTPUTS, layers, dropout)
    raise ValueError(f"unknown architecture {arch!r}")
