"""Português (Brasil): every word of the lab, in the course's own terms.

Terms follow the course notes (Arquiteturas de Redes Neurais Profundas): taxa de aprendizado,
sobreajuste, desvanecimento / explosão do gradiente, normalização por lote, colapso de modo,
função de perda, estado oculto, Redes Adversariais Generativas, augmentação de dados, transferência
de aprendizagem, difusão reversa, Backpropagation Through Time (BPTT). Names of architectures and
code identifiers (CNN, LSTM, GAN, DDPM, lr, grad_clip) stay as the listings write them.

Four tables:
- LABELS: a parameter's human label by its code name (shown as "Taxa de aprendizado (lr)");
- PAGES: each page's words by section (the page's ``TEXT`` keys; English in the page itself);
- MESSAGES: declared English text (architecture files, display.py, config.py) → Portuguese;
- PATTERNS: (regex, replacement) applied to error messages the library builds.
A key missing here shows its English; ``python -m deeparch.catalogs`` lists what is missing.
"""

LABELS = {
    "epochs": "Épocas", "max_steps": "Limite de passos", "max_minutes": "Limite de tempo em minutos",
    "batch_size": "Tamanho do lote", "optimizer": "Otimizador", "lr": "Taxa de aprendizado",
    "lr_schedule": "Agenda da taxa de aprendizado", "warmup": "Passos de aquecimento", "momentum": "Momento",
    "weight_decay": "Decaimento de pesos", "grad_clip": "Corte do gradiente", "seed": "Semente aleatória",
    "log_every": "Registro de gradientes a cada", "eval_every": "Avaliação a cada", "sample_every": "Grades a cada",
    "quality_every": "Medidas de qualidade a cada", "checkpoint_every": "Checkpoint a cada",
    "channels": "Canais", "kernel_size": "Tamanho do filtro", "hidden": "Unidades ocultas",
    "dropout_conv": "Dropout das convoluções", "dropout": "Dropout", "batch_norm": "Normalização por lote",
    "cell": "Célula recorrente", "layers": "Camadas", "bidirectional": "Bidirecional",
    "lr_g": "Taxa de aprendizado do gerador", "lr_d": "Taxa de aprendizado do discriminador", "beta1": "beta1 do Adam",
    "latent_dim": "Tamanho do ruído", "label_smoothing": "Suavização de rótulos", "instance_noise": "Ruído de instância",
    "tokens": "Tokens", "d_model": "Tamanho da incorporação", "nhead": "Cabeças de atenção",
    "nhid": "Tamanho da rede feed-forward", "nlayers": "Camadas do codificador", "causal": "Máscara causal",
    "width": "Largura", "activation": "Função de ativação",
    "T": "Passos de ruído", "schedule": "Agenda de ruído", "patch": "Dobra de pixels", "blocks": "Blocos residuais",
    "attention": "Atenção", "min_snr": "Ponderação Min-SNR", "ema_decay": "Decaimento da EMA",
    "sample_steps": "Passos de amostragem", "sampler": "Amostrador", "temperature": "Temperatura de amostragem",
    "clip_x0": "Cortar x0", "variance": "Variância da amostragem",
    "l1": "Penalidade L1", "precision": "Precisão numérica", "probe_digit": "Dígito de sonda",
    "init": "Inicialização dos pesos", "block": "Bloco da segunda convolução", "dilation": "Dilatação",
    "downsample": "Redução de resolução", "read": "Direção de leitura", "readout": "Leitura final",
    "forget_bias": "Viés do portão de esquecimento", "init_state": "Estado oculto inicial", "beta2": "beta2 do Adam",
    "g_width": "Largura do gerador", "d_augment": "Augmentação de dados no discriminador", "info_codes": "Códigos InfoGAN", "clusters": "Grupos do autocondicionamento", "info_weight": "Peso do código InfoGAN", "d_width": "Largura do discriminador",
    "d_norm": "Normalização do discriminador", "separate_batches": "Minilotes separados", "loss": "Perda do jogo",
    "g_steps": "Passos do gerador", "projection": "Discriminador de projeção", "n_critic": "Passos do crítico",
    "gp_lambda": "Peso da penalidade de gradiente", "model": "Preditor de ruído", "conditional": "Condicional",
    "p_uncond": "Descarte do rótulo", "guidance": "Escala de orientação", "eta": "eta do DDIM",
    "ninp": "Tamanho da incorporação", "objective": "Objetivo de treinamento", "mask_share": "Fração mascarada",
    "val_split": "Fração de validação", "classes": "Classes", "per_class": "Exemplos rotulados por classe",
    "patience": "Paciência da parada antecipada", "aug_shift": "Augmentação de dados: deslocamento (px)",
    "aug_rotate": "Augmentação de dados: rotação (graus)", "aug_elastic": "Augmentação de dados: deformação elástica (px)",
    "aug_erase": "Augmentação de dados: probabilidade de apagar", "init_from": "Partir da execução",
    "freeze": "Camadas congeladas", "fresh": "Camadas novas", "unfreeze_after": "Descongelar depois de (épocas)",
    "distance": "Distância da lembrança", "length": "Comprimento da sequência", "digits": "Dígitos por número",
    "reverse": "Soma escrita ao contrário", "examples": "Sequências de treinamento",
}

# the label of each value of a knob with choices (en.CHOICES), shown as "Decaimento cosseno (cosine)"
CHOICES = {
    "optimizer": {"adam": "Adam", "sgd": "SGD", "rmsprop": "RMSprop"},
    "lr_schedule": {"constant": "Constante", "cosine": "Decaimento cosseno"},
    "precision": {"fp32": "Ponto flutuante de 32 bits", "bf16": "bfloat16", "fp16": "Ponto flutuante de 16 bits",
                  "auto": "Automática"},
    "activation": {"relu": "ReLU", "leaky_relu": "Leaky ReLU", "tanh": "Tanh", "sigmoid": "Sigmoide", "gelu": "GELU"},
    "init": {"default": "Padrão do PyTorch", "he": "He (Kaiming)", "glorot": "Glorot (Xavier)",
             "dcgan": "N(0; 0,02) da DCGAN"},
    "block": {"plain": "Convolução simples, como no curso", "residual": "Bloco residual da ResNet",
              "inception": "Bloco Inception"},
    "downsample": {"maxpool": "Max-pooling, como no curso", "stride": "Convolução com stride 2"},
    "cell": {"lstm": "LSTM", "gru": "GRU", "rnn": "RNN simples"},
    "read": {"columns": "Colunas, da esquerda para a direita, como no curso", "rows": "Linhas, de cima para baixo"},
    "readout": {"last": "Último estado oculto", "attention": "Atenção sobre os passos de tempo"},
    "init_state": {"zero": "Zeros", "learned": "Aprendido"},
    "d_norm": {"batch": "Normalização por lote", "layer": "Normalização por camada", "none": "Nenhuma"},
    "loss": {"bce": "Entropia cruzada binária, como no curso", "hinge": "Hinge"},
    "tokens": {"rows": "Linhas da imagem", "patches": "Blocos 7×7", "vit": "ViT: blocos e um token de classe"},
    "model": {"unet": "U-Net", "course": "As três convoluções do curso"},
    "schedule": {"linear": "Linear", "cosine": "Cosseno", "quadratic": "Quadrática", "log": "Logarítmica"},
    "sampler": {"ancestral": "Ancestral (DDPM)", "ddim": "DDIM"},
    "variance": {"beta_tilde": "β̃ da posterior", "beta": "β"},
    "objective": {"gpt": "GPT: o próximo token", "bert": "BERT: tokens mascarados"},
}

PAGES = {
    "app": {
        "train": "Treinar", "live": "Ao vivo", "compare": "Comparar", "runs": "Execuções",
        "brand": "**deeparch** · laboratório de arquiteturas profundas",
        "store": "Armazém de execuções",
        "counts": "{running} treinando · {queued} na fila",
        "slots": "Até {n} execuções treinam ao mesmo tempo; as outras esperam na fila.",
        "store_error": "O armazém de execuções em {root} não pode ser aberto ({error}). Defina DEEPARCH_RUNS "
                       "como uma pasta com permissão de escrita e reinicie o servidor.",
    },
    "prefs": {
        "language": "Idioma",
        "projector": "Modo projetor",
        "projector_help": "Letras grandes, linhas grossas, alto contraste e no máximo dois gráficos por linha: "
                          "legível do fundo da sala.",
    },
    "classroom": {
        "student": "Seu nome",
        "student_help": "Em modo sala de aula cada execução leva o nome de quem a lançou; só essa pessoa "
                        "(ou o professor) pode pausá-la, pará-la, retomá-la ou apagá-la. Este navegador guarda seu nome.",
        "student_needed": "Digite seu nome na barra lateral para lançar ou controlar execuções.",
        "you_are": "Você é **{name}**.",
        "sign_out": "Sair",
        "sign_out_help": "Libera seu nome nesta turma: use ao deixar um computador compartilhado.",
        "name_taken": "O nome {name} já está em uso nesta turma por outro navegador. Se é o seu, peça ao professor "
                      "para liberá-lo; se não, escolha outro nome.",
        "teacher": "Chave do professor",
        "teacher_help": "O professor a definiu ao iniciar o servidor (DEEPARCH_TEACHER_TOKEN).",
        "teacher_on": "Professor: pode controlar todas as execuções.",
        "teacher_wrong": "Chave do professor incorreta.",
        "teacher_off": "Sair do modo professor",
        "students": "Nomes dos alunos ({n})",
        "students_none": "Nenhum aluno escolheu um nome ainda.",
        "release": "Liberar",
        "release_help": "Libera o nome: o próximo navegador que o digitar fica com ele (um aluno que perdeu o navegador).",
        "released": "Nome {name} liberado.",
        "owner_only": "Só {owner} ou o professor pode {action} a execução #{id}.",
        "queue_full": "Você tem {n} execuções na fila ou treinando e este lançamento acrescenta {need}; o limite "
                      "por aluno é {limit}. Espere uma terminar ou pare uma delas.",
        "action_pause": "pausar", "action_resume": "retomar", "action_stop": "parar", "action_delete": "apagar",
        "action_compress": "comprimir",
    },
    "controls": {
        "pause": "Pausar", "resume": "Retomar", "stop": "Parar", "clone": "Clonar",
        "pause_help": "Segura o treinamento depois do passo atual; Retomar continua de onde parou.",
        "resume_help": "Continua uma execução pausada, ou reinicia uma parada ou com falha a partir do último checkpoint.",
        "stop_help": "Encerra a execução depois do passo atual; ela guarda seu checkpoint e pode ser retomada depois.",
        "clone_help": "Lança uma nova execução com as mesmas configurações.",
        "action_failed": "Não foi possível {action}: {error}",
        "action_refused": "Não foi possível {action}: a execução agora está {status} (mudou desde que a página foi desenhada).",
        "cloned": "Lançada {name}.",
        "first_title": "Boas-vindas ao deeparch",
        "first_body": "Ainda não há execuções. Comece com uma demonstração curta: uma CNN aprende a ler dígitos "
                      "manuscritos por 300 passos (menos de um minuto numa CPU de 2 núcleos), e você acompanha a "
                      "perda, a acurácia e os gradientes ao vivo. Ou escolha uma arquitetura e suas configurações "
                      "na página **Treinar**.",
        "first_button": "Lançar uma demonstração",
        "demo_name": "demo: CNN, 300 passos",
        "demo_busy": "A demonstração foi lançada há um instante.",
        "badge": ":{color}-badge[{status}]",
    },
    "guard": {
        "error": "Algo deu errado ao desenhar esta página: {error}. Recarregue a página; se acontecer de novo, "
                 "verifique se o armazém de execuções em {root} pode ser lido.",
        "refused": "Nada foi iniciado: {error}",
        "outage": "O armazém de execuções ({where}) não responde agora: {error}. Inicie o PostgreSQL ou confira "
                  "DEEPARCH_DB. As execuções continuam treinando e guardam seus pontos novos por um tempo; esta "
                  "página tenta de novo sozinha a cada {every} segundos.",
    },
    "plot": {
        "failed_load": "Este gráfico não conseguiu carregar sua biblioteca de desenho ({src}). Recarregue a página; "
                       "se continuar vazio, inicie o app a partir da pasta do projeto com `streamlit run app.py`.",
        "failed_draw": "Este gráfico não pôde ser desenhado; ele é tentado de novo na próxima atualização",
    },
    "selection": {
        "run_label": "#{id} {name}",
    },
    "views": {
        "caption": "{name} · passo {step:,}",
        "probe_caption": "{name} · passo {step:,}: {right} de {total} dígitos de teste certos "
                         "(rótulo previsto · confiança; em vermelho: errado, previsto → verdadeiro)",
        "probe_caption_short": "{name} · passo {step:,}: {right}/{total} certos",
        "hist": "{title}: {name}",
        "text_caption": "{name} · passo {step:,}: {right} de {total} prompts separados completados exatamente certos",
        "text_ok": "certo",
        "text_output": "o modelo escreve",
        "text_prompt": "prompt",
        "text_target": "resposta",
    },
    "words": {
        "status": {
            "queued": "na fila", "starting": "iniciando", "running": "treinando", "paused": "pausada",
            "finished": "concluída", "stopped": "parada", "failed": "falhou", "diverged": "divergiu",
        },
        "none": "–",
        "choose": "Escolha as opções",
        "seconds": "{s} s",
        "minutes": "{m} min",
        "minutes_seconds": "{m} min {s:02d} s",
        "hours_minutes": "{h} h {m:02d} min",
        "diverged": "O treinamento divergiu: {reason}. Os pesos explodiram; clone a execução com uma taxa de "
                    "aprendizado menor, ou defina grad_clip (por exemplo 1,0).",
        "diverged_unknown": "uma perda virou NaN ou infinita",
        "q_coverage": "{headline} · cobertura {coverage:.2f}",
        "q_collapsed": "colapso de modo: cobertura {coverage:.2f}",
        "q_not_digits": "nenhum dígito: {share:.0%} das amostras",
        "q_old_judge": "{cell} · juiz v{version}, não comparável",
        "failed": "A execução falhou: {reason}. {hint}",
        "failed_unknown": "erro desconhecido",
        "hint_log": "Veja o log do worker para mais detalhes.",
        "hint_died": "O processo de treinamento terminou sem dizer por quê (foi encerrado, faltou memória, ou a "
                     "máquina reiniciou). Retome-a para continuar do último checkpoint.",
        "hint_hung": "O processo de treinamento parou de responder (suspenso ou travado) e foi encerrado. Retome-a "
                     "para continuar do último checkpoint.",
        "hint_disk": "Libere espaço em disco e retome a execução a partir do último checkpoint.",
        "hint_data": "O conjunto de dados não pôde ser carregado; use mnist-5k (embutido, funciona offline).",
    },
    "train": {
        "title": "Treinar",
        "intro": "Escolha uma arquitetura e suas configurações, depois lance. O treinamento roda em segundo plano: "
                 "fechar esta aba ou recarregar a página não o interrompe.",
        "tab_one": "Uma execução", "tab_race": "Corrida",
        "arch": "Arquitetura",
        "dataset": "Conjunto de dados",
        "dataset_missing": "{name} ainda não está nesta máquina; a execução tentará baixá-lo (precisa de internet). "
                           "mnist-5k é embutido e sempre funciona.",
        "params": "Parâmetros",
        "params_help": "Número de pesos treináveis do modelo construído com estas configurações.",
        "params_error": "Estas configurações não constroem um modelo: {error}",
        "kind_classifier": "classificador: aprende a rotular dígitos",
        "kind_generator": "gerador: aprende a desenhar dígitos",
        "group_budget": "Orçamento de treinamento",
        "group_optimizer": "Otimizador",
        "group_arch": "Configurações da arquitetura",
        "group_cadence": "Registros, avaliação e checkpoints",
        "reset": "Voltar aos valores do curso",
        "name": "Nome da execução (opcional)",
        "name_placeholder": "ex.: cnn lr 1e-3",
        "launch": "Lançar execução",
        "launched": "Execução {ids} lançada.",
        "double": "Esta execução foi lançada há um instante; não será lançada duas vezes.",
        "invalid": "Corrija esta configuração antes de lançar: {error}",
        "field_invalid": "{error}",
        "read_as": "Lido como {value}.",
        "refused": "Lançar fica desativado até estes campos serem corrigidos:",
        "first_body": "Ainda não há execuções. Comece com uma demonstração curta: uma CNN aprende a ler dígitos "
                      "manuscritos por 300 passos (menos de um minuto numa CPU de 2 núcleos), e você acompanha a "
                      "perda, a acurácia e os gradientes ao vivo. Ou escolha abaixo uma arquitetura e suas "
                      "configurações e lance a sua.",
        "race_intro": "Uma corrida treina várias arquiteturas com os mesmos dados, a mesma semente e o mesmo "
                      "orçamento, para compará-las de forma justa na página Comparar. Fora isso, cada arquitetura "
                      "mantém as configurações do curso.",
        "race_archs": "Arquiteturas",
        "race_budget": "Orçamento em",
        "race_epochs": "épocas", "race_steps": "passos", "race_minutes": "minutos de treinamento",
        "race_amount": "Quantidade",
        "race_seed": "Semente",
        "race_launch": "Lançar corrida",
        "race_pick": "Escolha pelo menos duas arquiteturas para uma corrida.",
        "race_name": "corrida {time}",
        "race_run_name": "{arch} · corrida {time}",
        "race_amount_help": "{unit}: {range}",
        "queue": "Fila",
        "queue_empty": "Nada está treinando ou esperando agora.",
        "queue_open": "Acompanhar ao vivo",
        "col_name": "Execução", "col_status": "Estado", "col_arch": "Arquitetura", "col_progress": "Progresso",
        "col_step": "Passo", "col_created": "Na fila desde",
    },
    "live": {
        "title": "Ao vivo",
        "pick": "Execuções para acompanhar",
        "pick_help": "As execuções em treinamento vêm escolhidas. Escolha até seis; nos gráficos cada execução "
                     "tem sua própria cor e seu formato de marcador (o formato aparece antes do nome), e o estilo "
                     "da linha distingue treinamento, validação e teste.",
        "none": "Escolha uma execução acima para acompanhá-la.",
        "follow": "Atualizar ao vivo",
        "follow_help": "Desligue para congelar a página enquanto olha; as execuções continuam treinando. Zoom, "
                       "deslocamento e séries ocultas na legenda são mantidos enquanto chegam novos pontos. "
                       "Execuções terminadas nunca se atualizam.",
        "waiting": "Esperando uma vaga de treinamento livre ({n} execuções treinam ao mesmo tempo).",
        "starting": "Iniciando: carregando os dados e construindo o modelo…",
        "paused": "Pausada. Retome para continuar do mesmo passo.",
        "stopping": "Parada pedida: a execução termina depois do passo atual.",
        "progress": "passo {step:,} de {total:,} · {pct:.0%}",
        "progress_time": "passo {step:,} · {done} de {budget} de treinamento · {pct:.0%}",
        "progress_unknown": "passo {step:,}",
        "elapsed": "decorrido {elapsed}",
        "eta": "faltam cerca de {eta}",
        "estimating": "tempo restante: estimando…",
        "finishing": "treinamento concluído: avaliação final e amostras",
        "judging": "Julgando amostras… (desenhando-as e consultando o juiz; o treinamento continua depois, com seu "
                   "relógio parado)",
        "arch_data": "{arch} em {dataset}",
        "layer_title": "{title}: {name}",
        "view_title": "**{title}**",
        "grids": "O que o modelo vê e produz",
        "grid_step": "Grade no passo",
        "grid_step_help": "Mostra a última grade neste passo ou antes dele; deixe no fim para acompanhar a execução.",
        "no_grid": "{name}: ainda sem grade.",
        "run_title": "**{name}**",
        "run_title_mark": "{mark} **{name}**",
        "run_line": "{title} {badge}",
        "series": "{run} · {what}",
        "explain_of": "**{title}**: {explain}",
        "smooth": "Suavização",
        "smooth_help": "Média móvel exponencial das curvas por passo, como em Comparar: 0 mostra os valores brutos. "
                       "A curva bruta continua visível, clara, sob a suavizada; pontos de teste nunca são suavizados.",
    },
    "compare": {
        "title": "Comparar",
        "pick": "Execuções para comparar",
        "pick_help": "Quaisquer execuções: terminadas ou ainda treinando, de qualquer arquitetura. Cada uma tem sua cor.",
        "none": "Escolha duas ou mais execuções acima para compará-las.",
        "metric": "Métrica",
        "x": "eixo x",
        "x_step": "passo", "x_samples": "amostras vistas", "x_wall": "tempo desde o início (s)",
        "smooth": "Suavização",
        "smooth_help": "Média móvel exponencial, como no TensorBoard: 0 mostra os valores brutos, 0,9 é muito suave. "
                       "A curva bruta continua visível, clara, sob a suavizada, e o último valor bruto de cada "
                       "execução é marcado no fim. Séries esparsas (menos de 50 pontos, como as avaliações de "
                       "teste) começam sem suavização.",
        "missing": "Fora deste gráfico, sem {metric} registrada: {runs}",
        "run_ref": "#{id} {name}",
        "metric_names": {"epoch": "época", "train_time": "tempo de treinamento (s)"},
        "qualified": "{axis} de {line}",
        "summary": "Em uma linha cada",
        "summary_line": "**{run}**: {metric} {value}{best} · {time} de treinamento · {params} parâmetros",
        "summary_none": "**{run}**: ainda sem {metric} · {time} de treinamento · {params} parâmetros",
        "best": " ★ melhor",
        "no_headline": "número principal",
        "percent": "{:.1%}", "number": "{:.4g}",
        "final_cols": {
            "arch": "arquitetura", "status": "estado", "steps": "passos",
            "test_loss_at_best": "perda de teste na melhor validação", "best_train_loss": "melhor perda de treinamento",
            "train_seconds": "tempo de treinamento (s)", "params": "parâmetros",
            "samples_per_s": "amostras/s (mediana)", "grad_norm": "norma do gradiente (mediana)",
            "not_digits": "parcela das amostras que não é dígito", "verdict": "amostras",
            "judge_version": "versão do juiz", "quality_seconds": "amostragem e julgamento (s)",
        },
        "verdicts": {"collapsed": "colapso de modo", "not_digits": "nenhum dígito"},
        "run_col": "execução",
        "log_y": "y logarítmico",
        "curves": "{metric} por {x}",
        "no_metric": "Estas execuções ainda não têm métricas.",
        "final": "Números finais",
        "download": "Baixar esta tabela (CSV)",
        "config": "Configurações que diferem",
        "config_same": "Todas as execuções escolhidas usam as mesmas configurações.",
        "grids": "Grades lado a lado",
        "grid_step": "Passo",
        "grid_step_help": "Cada execução mostra sua última grade neste passo ou antes dele.",
        "no_grid": "{name}: sem grade neste passo ou antes dele.",
        "grads": "Gradientes",
        "grad_curve": "Norma do gradiente (todas as camadas)",
        "grad_layers": "Norma do gradiente por camada, mediana ao longo da execução: {name}",
        "grad_none": "{name}: sem registros de gradiente.",
        "grad_x": "‖grad‖ mediana (escala logarítmica)",
    },
    "runs": {
        "title": "Execuções",
        "intro": "Todas as execuções do armazém, inclusive as iniciadas pela linha de comando. "
                 "Marque linhas para abri-las, pausá-las, retomá-las, pará-las, cloná-las ou apagá-las, ou para "
                 "exportar suas métricas.",
        "status": "Estado", "arch": "Arquitetura", "search": "Nome contém", "sort": "Ordenar por",
        "sort_options": {"newest": "mais recentes primeiro", "oldest": "mais antigas primeiro",
                         "accuracy": "melhor acurácia de teste", "loss": "menor perda",
                         "duration": "maior duração", "name": "nome"},
        "shown": "{shown} de {total} execuções",
        "headline_cell": "{label} {value}",
        "percent": "{:.1%}", "number": "{:.4g}",
        "headline_help": "O número que cada arquitetura declara como principal (a melhor acurácia de teste de um "
                         "classificador, a reconhecibilidade de um gerador com sua cobertura de classes, ou o que "
                         "são suas amostras no lugar dela: nenhum dígito, ou só um ou dois dígitos).",
        "none_match": "Nenhuma execução corresponde a estes filtros.",
        "selected": "{n} marcada(s)",
        "select_hint": "Marque linhas na tabela para agir sobre elas.",
        "live": "Abrir em Ao vivo", "compare": "Comparar", "pause": "Pausar", "resume": "Retomar", "stop": "Parar",
        "clone": "Clonar", "delete": "Apagar",
        "export": "Exportar métricas (CSV)",
        "pause_help": "Segura as execuções marcadas que estão treinando depois do passo atual; Retomar as continua.",
        "resume_help": "Continua as execuções marcadas que estão pausadas, ou reinicia as paradas ou com falha a "
                       "partir do último checkpoint.",
        "stop_help": "Encerra as execuções marcadas que estão treinando, pausadas ou na fila depois do passo atual; "
                     "cada uma guarda seu checkpoint e pode ser retomada depois.",
        "clone_help": "Lança uma nova execução com as mesmas configurações de cada execução marcada.",
        "cannot": "Nenhuma das execuções marcadas pode fazer isto agora: {why}",
        "cannot_why": {"pause": "só uma execução em treinamento pode ser pausada.",
                       "resume": "só execuções pausadas, paradas ou com falha podem ser retomadas.",
                       "stop": "só execuções na fila, em treinamento ou pausadas podem ser paradas."},
        "paused": "Pausa pedida para {n} execução(ões).",
        "resumed": "{n} execução(ões) retomada(s).",
        "stopped": "Parada pedida para {n} execução(ões).",
        "cloned": "{n} cópia(s) das execuções marcadas lançada(s).",
        "action_none": "Nada foi feito: as execuções marcadas mudaram desde que a página foi desenhada.",
        "clone_failed": "Não foi possível clonar #{id}: {error}",
        "confirm": "Apagar {n} execução(ões) e todas as suas métricas, imagens e checkpoints? Isto não pode ser "
                   "desfeito. Execuções ainda em treinamento são paradas antes.",
        "confirm_item": "- #{id} {name}",
        "confirm_yes": "Sim, apagar", "confirm_no": "Cancelar",
        "deleted": "{n} execução(ões) apagada(s).",
        "export_help": "As métricas das execuções marcadas, em formato largo: uma linha por execução e passo, uma "
                       "coluna por chave de métrica, depois das colunas run_id e run. `python -m deeparch export RUN` "
                       "escreve as mesmas colunas para uma execução, sem run_id e run.",
        "export_file": "deeparch-execucoes-{ids}.csv",
        "export_xlsx": "Exportar métricas (Excel)",
        "export_xlsx_file": "deeparch-execucoes-{ids}.xlsx",
        "export_xlsx_help": "A mesma tabela como pasta de trabalho do Excel, com células numéricas, para qualquer "
                            "planilha em qualquer idioma. O CSV usa os separadores do idioma da página (em "
                            "português: ; entre as células e vírgula decimal).",
        "col": {"id": "#", "name": "Execução", "status": "Estado", "arch": "Arquitetura", "dataset": "Dados",
                "progress": "Progresso", "step": "Passo", "headline": "Número principal",
                "test_acc": "Acurácia de teste", "loss": "Perda de treinamento", "test_loss": "Perda de teste",
                "recognisability": "Reconhecibilidade", "coverage": "Cobertura", "frechet": "Fréchet do juiz",
                "params": "Parâmetros", "started": "Início", "duration_s": "Duração (s)", "group": "Grupo",
                "reason": "Motivo", "owner": "Aluno", "host": "Máquina", "executor": "Executor",
                "device": "Dispositivo"},
        "executors": {"local": "processo local", "ray": "Ray"},
        "host_help": "A máquina em que o worker da execução treina (registrada quando ela começa).",
        "device_help": "Onde a execução treina (cpu, ou cuda para uma GPU) e em qual precisão: fp32, ou a mista "
                       "bf16 / fp16 que precision=auto escolheu (registrado quando ela começa).",
        "cluster": "Cluster Ray",
        "cluster_capacity": "{cpus_free:g} de {cpus:g} CPUs livres · {gpus_free:g} de {gpus:g} GPUs livres · "
                            "{nodes} nó(s)",
        "cluster_gone": "O cluster Ray não pode ser alcançado: as execuções na fila esperam por ele; as que estão "
                        "treinando e param de responder são marcadas como falhas após o tempo limite do heartbeat.",
    },
}

MESSAGES = {
    # the runs list of the command line: a generator's headline with its coverage, or its verdict
    "no digits: {share:.0%} of the samples": "nenhum dígito: {share:.0%} das amostras",
    "mode collapse: coverage {coverage:.2f}": "colapso de modo: cobertura {coverage:.2f}",
    "coverage {coverage:.2f}": "cobertura {coverage:.2f}",
    "judge v{version}, not comparable": "juiz v{version}, não comparável",
    # ---- architectures: titles and summaries --------------------------------------------------
    "CNN (rede convolucional)": "CNN (rede convolucional)",
    "RNN (LSTM / GRU)": "RNN (LSTM / GRU)",
    "GAN (rede adversária generativa)": "GAN (rede adversária generativa)",
    "Transformer (encoder)": "Transformer (codificador)",
    "MLP (rede totalmente conectada)": "MLP (rede totalmente conectada)",
    "Diffusion (DDPM)": "Difusão (DDPM)",
    "A convolutional network slides small 3×3 filters over the image, so the same pattern detector (an edge, a "
    "curve) is used everywhere in the picture. Two convolutions find local shapes, max-pooling halves the "
    "resolution, and two linear layers turn the features into one score per digit. Dropout switches off random "
    "units while training so the network does not memorise the training set.":
        "Uma rede convolucional desliza pequenos filtros 3×3 sobre a imagem, de modo que o mesmo detector de "
        "padrão (uma borda, uma curva) é usado em toda a figura. Duas convoluções encontram formas locais, o max "
        "pooling reduz a resolução pela metade, e duas camadas lineares transformam as características em uma "
        "pontuação por dígito. O dropout desliga unidades ao acaso durante o treinamento para que a rede não "
        "decore o conjunto de treinamento (sobreajuste).",
    "A recurrent network reads the digit one row at a time, top to bottom, keeping a memory (the hidden state) of "
    "what it has seen so far; after the 28th row it decides which digit it was. LSTM and GRU cells have gates "
    "that decide what to keep and what to forget, which lets gradients survive through many steps; the plain RNN "
    "cell has none, and its gradients fade — watch the gradient heatmap.":
        "Uma rede recorrente lê o dígito uma linha por vez, de cima para baixo, guardando uma memória (o estado "
        "oculto) do que já viu; depois da 28ª linha decide qual dígito era. As células LSTM e GRU têm portas que "
        "decidem o que guardar e o que esquecer, o que deixa os gradientes sobreviverem por muitos passos; a "
        "célula RNN simples não tem, e seus gradientes somem (desvanecimento do gradiente) — observe o mapa de "
        "calor dos gradientes.",
    "Two networks play a game. The generator turns 100 random numbers into an image; the discriminator looks at "
    "real digits and generated ones and guesses which are real. Each learns from the other's mistakes. D(x) is "
    "how real the discriminator finds real digits, D(G(z)) how real it finds fakes: when the game is balanced both "
    "hover around 0.5. If the generator finds one digit that fools the discriminator and draws only that, the "
    "class coverage drops: mode collapse.":
        "Duas redes jogam um jogo (Redes Adversariais Generativas). O gerador transforma 100 números aleatórios "
        "em uma imagem; o discriminador olha dígitos reais e gerados e adivinha quais são reais. Cada um aprende "
        "com os erros do outro. D(x) é o quanto o discriminador acha reais os dígitos reais, D(G(z)) o quanto "
        "acha reais os falsos: com o jogo equilibrado, os dois ficam perto de 0,5. Se o gerador encontra um "
        "dígito que engana o discriminador e desenha só esse, a cobertura de classes cai: colapso de modo.",
    "A Transformer cuts the image into a sequence of tokens (its 28 rows, or 7×7 patches as in the Vision "
    "Transformer) and lets every token look at every other one through self-attention, deciding which parts of "
    "the image matter for each part. A positional encoding tells it where each token came from, because attention "
    "itself ignores order. Several encoder layers are stacked; the average of the final tokens is turned into one "
    "score per digit.":
        "Um Transformer corta a imagem em uma sequência de tokens (suas 28 linhas, ou blocos de 7×7 como no "
        "Vision Transformer) e deixa cada token olhar para todos os outros por meio da autoatenção (mecanismo de "
        "atenção), decidindo quais partes da imagem importam para cada parte. Uma codificação posicional diz de "
        "onde veio cada token, porque a atenção em si ignora a ordem. Várias camadas do codificador são "
        "empilhadas; a média dos tokens finais vira uma pontuação por dígito.",
    "The plain deep network the CNN is compared with: the image is flattened into one list of 784 pixels and "
    "passed through fully connected layers (each hidden layer half as wide as the one before), then one score per "
    "digit. Every pixel has its own weight to every unit, so it cannot reuse a stroke detector across the picture "
    "the way a convolution does, and it reads digits worse than the CNN. Race the two to see the gap.":
        "A rede profunda simples com que a CNN é comparada: a imagem é achatada em uma lista de 784 pixels e "
        "passa por camadas totalmente conectadas (cada camada oculta com metade da largura da anterior), depois "
        "uma pontuação por dígito. Cada pixel tem seu próprio peso para cada unidade, então ela não reaproveita "
        "um detector de traço pela figura como faz uma convolução, e lê dígitos pior que a CNN. Faça as duas "
        "correrem para ver a diferença.",
    "A diffusion model learns to clean up noise. In training we take a real digit, drown it in a random amount of "
    "Gaussian noise (step t of T: a little at t = 1, almost pure static at t = T) and ask a U-Net to tell us which "
    "noise was added; the loss is the mean squared error of that guess. To draw a new digit we start from pure "
    "static and remove the predicted noise a bit at a time, adding back a little fresh noise at each step, until a "
    "digit appears. The U-Net shrinks the image to 7×7 to see the whole shape and grows it back with skip "
    "connections for the fine strokes (it first folds each 2×2 block of pixels into 4 channels, so it works on a "
    "14×14 grid, which makes it several times cheaper); it is told t so it knows how noisy its input is. Sampling "
    "uses a slowly moving average of the weights (EMA), which draws cleaner digits than the latest, jittery "
    "weights, and a temperature: below 1 it adds a little less fresh noise at each step, for cleaner but less "
    "varied digits.":
        "Um modelo de difusão aprende a limpar ruído. No treinamento pegamos um dígito real, o afogamos em uma "
        "quantidade aleatória de ruído gaussiano (passo t de T: pouco em t = 1, quase pura estática em t = T) e "
        "pedimos a uma U-Net que diga qual ruído foi somado; a função de perda é o erro quadrático médio desse "
        "palpite. Para desenhar um dígito novo partimos de pura estática e removemos o ruído previsto aos "
        "poucos, devolvendo um pouco de ruído novo a cada passo, até um dígito aparecer. A U-Net encolhe a "
        "imagem para 7×7 para ver a forma inteira e a faz crescer de volta com conexões de atalho para os traços "
        "finos (antes ela dobra cada bloco de 2×2 pixels em 4 canais, e assim trabalha numa grade 14×14, o que a "
        "torna várias vezes mais barata); ela recebe t para saber o quanto sua entrada tem de ruído. A "
        "amostragem usa uma média móvel lenta dos pesos (EMA), que desenha dígitos mais limpos que os pesos "
        "mais recentes e instáveis, e uma temperatura: abaixo de 1 ela soma um pouco menos de ruído novo a cada "
        "passo, para dígitos mais limpos, porém menos variados.",
    # ---- datasets ---------------------------------------------------------------------------------
    "MNIST 5k (embedded: 4,000 train / 1,000 test)": "MNIST 5k (embutido: 4.000 de treinamento / 1.000 de teste)",
    "MNIST (60,000 / 10,000, torchvision)": "MNIST (60.000 / 10.000, torchvision)",
    "Fashion-MNIST (60,000 / 10,000, torchvision)": "Fashion-MNIST (60.000 / 10.000, torchvision)",
    # ---- parameter help: common -------------------------------------------------------------------
    "passes over the training split": "passagens pelo conjunto de treinamento",
    "stop after this many optimizer steps (0 = no limit)": "parar depois deste número de passos do otimizador (0 = sem limite)",
    "stop after this many minutes of training, evaluation and sampling not counted (0 = no limit)":
        "parar depois deste número de minutos de treinamento, sem contar avaliação e amostragem (0 = sem limite)",
    "samples per step": "amostras por passo",
    "optimizer": "otimizador",
    "learning rate": "taxa de aprendizado",
    "learning rate over the run: constant, or cosine decay to 0 at the end of the budget (epochs, max_steps or "
    "max_minutes, whichever ends first)":
        "taxa de aprendizado ao longo da execução: constante, ou decaimento cosseno até 0 no fim do orçamento "
        "(epochs, max_steps ou max_minutes, o que acabar primeiro)",
    # a classifier's data practices and transfer learning (config.CLASSIFIER)
    "share of each class of the training split held out for validation (stratified, fixed seed); best figures "
    "and early stopping read validation, never test (0 = no validation)":
        "fração de cada classe da parte de treinamento separada para validação (estratificada, semente fixa); os "
        "melhores números e a parada antecipada leem a validação, nunca o teste (0 = sem validação)",
    "train and test on these classes only (empty = all)":
        "treinar e testar só nestas classes (vazio = todas)",
    "labelled training examples kept per class (0 = all): few-shot learning":
        "exemplos rotulados de treinamento mantidos por classe (0 = todos): aprendizado com poucos exemplos",
    "early stopping: evaluations without a new lowest validation loss before the run stops (0 = off)":
        "parada antecipada: avaliações sem uma nova menor perda de validação antes de a execução parar "
        "(0 = desligada)",
    "augmentation: random shift of each training image by up to this many pixels (0 = off)":
        "augmentação de dados: deslocamento aleatório de cada imagem de treinamento em até este número de pixels "
        "(0 = desligado)",
    "augmentation: random rotation by up to this many degrees (0 = off)":
        "augmentação de dados: rotação aleatória de até este número de graus (0 = desligado)",
    "augmentation: strength of a smooth random elastic warp, in pixels (0 = off)":
        "augmentação de dados: intensidade de uma deformação elástica suave e aleatória, em pixels (0 = desligado)",
    "augmentation: probability of blanking a random rectangle (random erasing; 0 = off)":
        "augmentação de dados: probabilidade de apagar um retângulo aleatório (apagamento aleatório; 0 = desligado)",
    "transfer learning: start from the weights of this finished run (same architecture and shapes; 0 = fresh "
    "weights)":
        "transferência de aprendizagem: partir dos pesos desta execução terminada (mesma arquitetura e formas; "
        "0 = pesos novos)",
    "transfer learning: layer-name prefixes whose weights stay as loaded (e.g. features; without init_from, as "
    "initialised: a random-features baseline)":
        "transferência de aprendizagem: prefixos de nomes de camadas cujos pesos ficam como carregados (ex.: "
        "features; sem init_from, como inicializados: uma linha de base de atributos aleatórios)",
    "transfer learning: layer-name prefixes NOT taken from the init_from run but freshly initialised (e.g. the "
    "output layer, for new classes)":
        "transferência de aprendizagem: prefixos de nomes de camadas NÃO tirados da execução init_from, mas "
        "inicializados de novo (ex.: a camada de saída, para classes novas)",
    "transfer learning: the frozen layers start learning after this many epochs (0 = they stay frozen). First "
    "the new output layer learns alone on the loaded features, then everything is fine-tuned (LP-FT): a random "
    "new layer no longer scrambles the loaded features at the start":
        "transferência de aprendizagem: as camadas congeladas começam a aprender depois deste número de épocas "
        "(0 = ficam congeladas). Primeiro a nova camada de saída aprende sozinha sobre os atributos carregados, "
        "depois tudo passa por ajuste fino (LP-FT): uma camada nova aleatória não embaralha mais os atributos "
        "carregados no início",
    "steps of linear learning-rate warm-up at the start (0 = off)":
        "passos de aquecimento linear da taxa de aprendizado no início (0 = desligado)",
    "momentum (SGD and RMSprop)": "momento (SGD e RMSprop)",
    "L2 weight decay": "decaimento de pesos L2 (regularização)",
    "clip the global gradient norm to this value (0 = off)": "limita a norma global do gradiente a este valor (0 = desligado)",
    "random seed (same seed, same config: same run on CPU)":
        "semente aleatória (mesma semente e configuração: mesma execução na CPU)",
    "steps between gradient-norm / learning-rate / throughput records":
        "passos entre registros de norma do gradiente / taxa de aprendizado / vazão",
    "steps between test-split evaluations (0 = once per epoch)": "passos entre avaliações no conjunto de teste (0 = uma por época)",
    "steps between sample or probe grids (0 = auto: the first within 30 s of training, then once per epoch, "
    "between 6 and 12 over the run)":
        "passos entre grades de amostras ou de teste (0 = automático: a primeira nos primeiros 30 s de "
        "treinamento, depois uma por época, entre 6 e 12 na execução)",
    "steps between quality figures for generators (0 = auto: 3 over the run, and at its end)":
        "passos entre medidas de qualidade dos geradores (0 = automático: 3 na execução, e no fim)",
    "steps between checkpoints (0 = once per epoch)": "passos entre checkpoints (0 = um por época)",
    # ---- parameter help: architectures ------------------------------------------------------------
    "filters in the first convolution (the second has twice as many)": "filtros da primeira convolução (a segunda tem o dobro)",
    "convolution kernel size": "tamanho do filtro (kernel) da convolução",
    "units in the hidden linear layer": "unidades da camada linear oculta",
    "dropout after the convolutions": "dropout depois das convoluções",
    "dropout before the last layer": "dropout antes da última camada",
    "batch normalisation after each convolution": "normalização por lote depois de cada convolução",
    "recurrent cell": "célula recorrente",
    "hidden state size": "tamanho do estado oculto",
    "stacked recurrent layers": "camadas recorrentes empilhadas",
    "dropout between recurrent layers": "dropout entre as camadas recorrentes",
    "also read the rows bottom to top": "ler as linhas também de baixo para cima",
    "generator learning rate": "taxa de aprendizado do gerador",
    "discriminator learning rate": "taxa de aprendizado do discriminador",
    "Adam beta1 for both networks": "beta1 do Adam para as duas redes",
    "size of the noise vector z": "tamanho do vetor de ruído z",
    "real labels become 1 - this value": "os rótulos reais viram 1 menos este valor",
    "std of noise added to the discriminator's inputs": "desvio padrão do ruído somado às entradas do discriminador",
    "what a token is: image rows (28 tokens) or 7×7 patches (16 tokens, as in ViT)":
        "o que é um token: linhas da imagem (28 tokens) ou blocos 7×7 (16 tokens, como no ViT)",
    "embedding size (ninp)": "tamanho da incorporação (embedding, ninp)",
    "attention heads (must divide d_model)": "cabeças de atenção (devem dividir d_model)",
    "feed-forward size inside each layer": "tamanho da rede feed-forward dentro de cada camada",
    "encoder layers": "camadas do codificador",
    "dropout inside the encoder": "dropout dentro do codificador",
    "mask attention so a token sees only earlier tokens": "mascarar a atenção para que um token veja só os anteriores",
    "units in the first hidden layer (each next one has half as many)":
        "unidades da primeira camada oculta (cada seguinte tem a metade)",
    "hidden layers": "camadas ocultas",
    "activation function of the hidden layers": "função de ativação das camadas ocultas",
    "dropout after each hidden layer": "dropout depois de cada camada oculta",
    "batch normalisation after each hidden linear layer": "normalização por lote depois de cada camada linear oculta",
    "number of noising steps of the schedule": "número de passos de ruído da agenda",
    "noise schedule: how fast the image drowns in noise": "agenda de ruído: quão rápido a imagem se afoga no ruído",
    "U-Net channels at its finest resolution (×2 at the coarser ones)":
        "canais da U-Net na resolução mais fina (×2 nas mais grossas)",
    "fold 2×2 pixels into channels (PixelUnshuffle) and run the U-Net at 14×14 and 7×7 (2), or run it on the "
    "28×28 pixels (1)":
        "dobrar 2×2 pixels em canais (PixelUnshuffle) e rodar a U-Net em 14×14 e 7×7 (2), ou rodá-la nos "
        "pixels 28×28 (1)",
    "residual blocks per resolution on each side of the U-Net": "blocos residuais por resolução em cada lado da U-Net",
    "self-attention at 7×7 in the U-Net's middle": "autoatenção em 7×7 no meio da U-Net",
    "Min-SNR-γ loss weighting: weight min(SNR, γ)/SNR per sample (0 = plain MSE)":
        "ponderação da perda Min-SNR-γ: peso min(SNR, γ)/SNR por amostra (0 = MSE simples)",
    "dropout inside the residual blocks": "dropout dentro dos blocos residuais",
    "decay of the weights' moving average used for sampling (0 = off)":
        "decaimento da média móvel dos pesos usada na amostragem (0 = desligado)",
    "denoising steps when sampling, evenly respaced over T (0 = all T)":
        "passos de remoção de ruído na amostragem, espaçados por igual em T (0 = todos os T)",
    "sampling steps: DDPM's ancestral (fresh noise each step) or DDIM's deterministic":
        "passos de amostragem: ancestral do DDPM (ruído novo a cada passo) ou determinístico do DDIM",
    "sampling temperature: scale of the fresh noise at each ancestral step (1 = the DDPM posterior; lower = "
    "cleaner but less varied digits)":
        "temperatura de amostragem: escala do ruído novo em cada passo ancestral (1 = a posterior do DDPM; "
        "menor = dígitos mais limpos, porém menos variados)",
    "clip the predicted clean image to [-1, 1] at each sampling step":
        "cortar a imagem limpa prevista em [-1, 1] a cada passo de amostragem",
    "noise of each sampling step: posterior β̃ or β": "ruído de cada passo de amostragem: posterior β̃ ou β",
    # ---- panels, views, headlines -----------------------------------------------------------------
    "Gradient norm (all layers)": "Norma do gradiente (todas as camadas)",
    "‖grad‖": "‖grad‖",
    "The size of the whole gradient, on a log scale. A healthy run settles within a decade or two; a curve "
    "shooting up by many decades is exploding gradients (lower the learning rate or set grad_clip), one sinking "
    "towards zero means learning has stalled.":
        "O tamanho do gradiente inteiro, em escala logarítmica. Uma execução saudável se acomoda dentro de uma ou "
        "duas décadas; uma curva que dispara por muitas décadas é explosão do gradiente (diminua a taxa de "
        "aprendizado ou defina grad_clip), uma que afunda para zero quer dizer que o aprendizado parou.",
    "Gradient norm per layer": "Norma do gradiente por camada",
    "layer": "camada",
    "Each row is a layer (input side on top), each column a moment of training, the colour the size of that "
    "layer's gradient. Rows much darker than the others are layers that barely learn (vanishing gradients: "
    "typical of deep sigmoid networks and plain RNNs); very bright rows explode.":
        "Cada linha é uma camada (a entrada no topo), cada coluna um momento do treinamento, a cor o tamanho do "
        "gradiente daquela camada. Linhas muito mais escuras que as outras são camadas que quase não aprendem "
        "(desvanecimento do gradiente: típico de redes profundas com sigmoide e de RNNs simples); linhas muito "
        "claras explodem.",
    "Learning rate": "Taxa de aprendizado",
    "The step size the optimizer used. Flat for a constant rate; a ramp at the start is the warm-up, the slow "
    "fall of a cosine schedule lets the weights settle at the end.":
        "O tamanho do passo que o otimizador usou. Plana para uma taxa constante; uma rampa no início é o "
        "aquecimento, a queda lenta de uma agenda cosseno deixa os pesos se acomodarem no fim.",
    "Throughput": "Vazão",
    "samples / s": "amostras / s",
    "Training images processed per second (evaluation and sampling not counted). It drops when other runs share "
    "the cores.":
        "Imagens de treinamento processadas por segundo (sem contar avaliação e amostragem). Cai quando outras "
        "execuções dividem os núcleos.",
    "Loss": "Perda",
    "loss": "perda",
    "train": "treinamento",
    "test": "teste",
    "Training loss (every step) and test loss (at each evaluation). Both should fall. A test loss that turns up "
    "while the training loss keeps falling is overfitting; a training loss that jumps or becomes huge means the "
    "learning rate is too high.":
        "Perda de treinamento (a cada passo) e perda de teste (a cada avaliação). As duas devem cair. Uma perda "
        "de teste que volta a subir enquanto a de treinamento continua caindo é sobreajuste; uma perda de "
        "treinamento que salta ou fica enorme quer dizer que a taxa de aprendizado está alta demais.",
    "Accuracy": "Acurácia",
    "accuracy": "acurácia",
    "Share of digits labelled right: on each training batch and on the held-out test split. A wide gap between "
    "train and test is overfitting; the test curve is the one that counts.":
        "Fração de dígitos rotulados certo: em cada lote de treinamento e no conjunto de teste separado. Uma "
        "distância grande entre treinamento e teste é sobreajuste; a curva de teste é a que conta.",
    "Test digits and what the model says": "Dígitos de teste e o que o modelo diz",
    "Sixteen fixed test digits with the predicted label and the model's confidence; red ones are wrong, the "
    "predicted label → the true one. Early in training the guesses are random; watch them turn right.":
        "Dezesseis dígitos de teste fixos com o rótulo previsto e a confiança do modelo; os vermelhos estão "
        "errados, o rótulo previsto → o verdadeiro. No início do treinamento os palpites são aleatórios; "
        "veja-os acertar.",
    "best test accuracy": "melhor acurácia de teste",
    "Sample quality (judged by a classifier)": "Qualidade das amostras (julgada por um classificador)",
    "share": "fração",
    "recognisability": "reconhecibilidade",
    "class coverage": "cobertura de classes",
    "coverage 0.5: collapse below": "cobertura 0,5: colapso abaixo",
    "Recognisability: share of up to 500 samples that look like a real digit to the project's MNIST judge (one "
    "digit above 0.9 of its confidence, and features as near to real digits' as 99% of real digits it never "
    "trained on). No digit: share the judge calls no digit at all (noise, blotches, strokes, blends of two "
    "digits). Coverage: how evenly the samples spread over the 10 digits (1 = all equally). Recognisability "
    "rising with coverage falling is mode collapse: the generator draws a few digits well.":
        "Reconhecibilidade: fração de até 500 amostras que parecem um dígito real para o juiz MNIST do projeto "
        "(um dígito acima de 0,9 da sua confiança, e atributos tão perto dos de dígitos reais quanto 99% dos "
        "dígitos reais que ele nunca viu no treino). Nenhum dígito: fração que o juiz diz não ser dígito algum "
        "(ruído, manchas, traços, misturas de dois dígitos). Cobertura: quão por igual as amostras se espalham "
        "pelos 10 dígitos (1 = todos igualmente). Reconhecibilidade subindo com cobertura caindo é colapso de "
        "modo: o gerador desenha bem poucos dígitos.",
    "no digit": "nenhum dígito",
    "Judge Fréchet distance (lower is better)": "Distância de Fréchet do juiz (menor é melhor)",
    "distance": "distância",
    "FID's formula on the MNIST judge's features (not Inception, so compare it only within this lab): how far the "
    "samples' statistics are from real digits'. It falls as samples get both realistic and varied.":
        "A fórmula do FID sobre as características do juiz MNIST (não do Inception: compare só dentro deste "
        "laboratório): quão longe as estatísticas das amostras estão das dos dígitos reais. Cai quando as "
        "amostras ficam realistas e variadas ao mesmo tempo.",
    "Samples from fixed noise": "Amostras a partir de ruído fixo",
    "64 images drawn from the same noise at every grid, so frames at different steps are comparable: watch noise "
    "turn into strokes, then into digits.":
        "64 imagens desenhadas a partir do mesmo ruído em cada grade, para que quadros de passos diferentes "
        "sejam comparáveis: veja o ruído virar traços, depois dígitos.",
    "Digits the judge sees in the samples": "Dígitos que o juiz vê nas amostras",
    "How the judge labels 500 samples. Even bars mean every digit is drawn; one tall bar is mode collapse.":
        "Como o juiz rotula 500 amostras. Barras iguais querem dizer que todo dígito é desenhado; uma barra alta "
        "é colapso de modo.",
    "Generator and discriminator losses": "Perdas do gerador e do discriminador",
    "G (generator)": "G (gerador)",
    "D (discriminator)": "D (discriminador)",
    "The two players' losses. A GAN's losses are a game, not a descent: in a healthy game neither wins for long "
    "and both wander, and G's loss rising for a while is no divergence, only D getting better for a while. D's "
    "loss near 0 for long while G's stays high means the discriminator wins: read D(x) and D(G(z)) below, and "
    "G's gradient norm.":
        "As perdas dos dois jogadores. As perdas de uma GAN são um jogo, não uma descida: num jogo saudável nenhum "
        "ganha por muito tempo e as duas oscilam, e a perda de G subindo por um tempo não é divergência, só D "
        "melhorando por um tempo. A perda de D perto de 0 por muito tempo enquanto a de G continua alta quer dizer "
        "que o discriminador vence: leia D(x) e D(G(z)) abaixo, e a norma do gradiente de G.",
    "Generator's gradient norm": "Norma do gradiente do gerador",
    "‖∇G‖": "‖∇G‖",
    "‖∇G‖ (generator)": "‖∇G‖ (gerador)",
    "The size of the gradient that reaches the generator through the discriminator at each of its steps (log "
    "scale). With the non-saturating loss it does not fade when the discriminator wins: it stays as large, or "
    "grows, while D(G(z)) sinks towards 0. A large gradient and no better samples means its direction keeps "
    "changing: the generator chases a discriminator that keeps moving.":
        "O tamanho do gradiente que chega ao gerador através do discriminador em cada um dos seus passos (escala "
        "logarítmica). Com a perda não saturante ele não desaparece quando o discriminador vence: fica do mesmo "
        "tamanho, ou cresce, enquanto D(G(z)) afunda para 0. Um gradiente grande sem amostras melhores quer dizer "
        "que a direção dele muda o tempo todo: o gerador persegue um discriminador que não para de se mover.",
    "Discriminator: D(x) on real digits, D(G(z)) on fakes": "Discriminador: D(x) nos dígitos reais, D(G(z)) nos falsos",
    "D": "D",
    "D(x): real": "D(x): real",
    "D(G(z)): fake": "D(G(z)): falso",
    "balance (0.5)": "equilíbrio (0,5)",
    "How real the discriminator finds real digits, D(x), and the generator's fakes, D(G(z)). At the balance both "
    "sit near 0.5: it cannot tell them apart. D(x) near 1 with D(G(z)) near 0 is a discriminator that wins.":
        "O quanto o discriminador acha reais os dígitos reais, D(x), e os falsos do gerador, D(G(z)). No "
        "equilíbrio os dois ficam perto de 0,5: ele não consegue distingui-los. D(x) perto de 1 com D(G(z)) "
        "perto de 0 é um discriminador que vence.",
    "Denoising loss": "Perda de remoção de ruído",
    "How well the U-Net guesses the added noise (Min-SNR-weighted MSE), over random noise levels. It falls fast, "
    "then slowly and noisily: small changes here still make much better digits, so judge progress by the samples "
    "and quality figures below.":
        "Quão bem a U-Net adivinha o ruído somado (MSE ponderado por Min-SNR), em níveis de ruído aleatórios. "
        "Cai rápido, depois devagar e com ruído: pequenas mudanças aqui ainda dão dígitos muito melhores, então "
        "julgue o progresso pelas amostras e medidas de qualidade abaixo.",
    # ---- chart builders' own axis words --------------------------------------------------------------
    "step": "passo",
    "class the judge sees": "classe que o juiz vê",
    "share of samples": "fração das amostras",
    "no data yet": "ainda sem dados",
    "uniform": "uniforme",  # the class chart's line at an equal share of every digit
    "diverged: {value}": "divergiu: {value}",
    # ---- merged after the first translation: data, CNN/RNN variants, GAN variants, conditional diffusion,
    # language models ------------------------------------------------------------------------------------
    '0: fakes scored like real digits':
        '0: falsos avaliados como dígitos reais',
    '10: every digit, each one clear':
        '10: todos os dígitos, cada um nítido',
    "A DCGAN that is told which digit to draw. The generator gets the digit's label next to its random "
    'numbers; the discriminator gets the label next to the image and judges whether it is a real example '
    'of that digit. Drawing a good 1 when asked for a 7 is caught, so the generator learns to follow the '
    'label: ask for a 7, get a 7. The sample grid has one row per digit, and the judge checks how often '
    'the drawn digit is the one asked for.':
        'Uma DCGAN a quem se diz qual dígito desenhar. O gerador recebe o rótulo do dígito junto com seus '
        'números aleatórios; o discriminador recebe o rótulo junto com a imagem e julga se ela é um exemplo '
        'real daquele dígito. Desenhar um bom 1 quando se pediu um 7 é pego, então o gerador aprende a seguir'
        ' o rótulo: peça um 7, ganhe um 7. A grade de amostras tem uma linha por dígito, e o juiz verifica '
        'com que frequência o dígito desenhado é o pedido.',
    'A conditional model asked for each digit in turn: row 0 should show zeros, row 1 ones, and so on, '
    'from the same noise at every grid. A row of wrong digits is a class the model has not tied to its '
    'label yet; rows that all look alike mean the label is ignored.':
        'Um modelo condicional a quem se pede cada dígito por vez: a linha 0 deveria mostrar zeros, a linha 1'
        ' uns, e assim por diante, a partir do mesmo ruído em todas as grades. Uma linha de dígitos errados é'
        ' uma classe que o modelo ainda não ligou ao seu rótulo; linhas todas parecidas significam que o '
        'rótulo é ignorado.',
    "A conditional model is asked for 50 samples of each digit; this is the share that the project's "
    'MNIST judge (not Inception) labels as the digit that was asked for. 0.1 is chance: the label is '
    'ignored. It should climb well above 0.8 as the model learns to use the label.':
        'Pede-se a um modelo condicional 50 amostras de cada dígito; esta é a fração que o juiz MNIST do '
        'projeto (não a Inception) rotula como o dígito pedido. 0,1 é o acaso: o rótulo é ignorado. Deve '
        'subir bem acima de 0,8 à medida que o modelo aprende a usar o rótulo.',
    'A convolutional network slides small 3×3 filters over the image, so the same pattern detector (an '
    'edge, a curve) is used everywhere in the picture. Two convolutions find local shapes, max-pooling '
    'halves the resolution, and two linear layers turn the features into one score per digit. Dropout '
    'switches off random units while training so the network does not memorise the training set. The '
    "course's variants are settings: a residual block (ResNet), an Inception block, dilated convolutions,"
    ' a strided convolution instead of pooling.':
        'Uma rede convolucional desliza pequenos filtros 3×3 sobre a imagem, de modo que o mesmo detector de '
        'padrão (uma borda, uma curva) é usado em toda a figura. Duas convoluções encontram formas locais, o '
        'max-pooling reduz a resolução à metade, e duas camadas lineares transformam as características em '
        'uma pontuação por dígito. O dropout desliga unidades aleatórias durante o treinamento para que a '
        'rede não decore o conjunto de treinamento. As variantes do curso são ajustes: um bloco residual '
        '(ResNet), um bloco Inception, convoluções dilatadas, uma convolução com stride no lugar do pooling.',
    'A diffusion model learns to clean up noise. In training we take a real digit, drown it in a random '
    'amount of Gaussian noise (step t of T: a little at t = 1, almost pure static at t = T) and ask a '
    'U-Net to tell us which noise was added; the loss is the mean squared error of that guess. To draw a '
    'new digit we start from pure static and remove the predicted noise a bit at a time, adding back a '
    'little fresh noise at each step, until a digit appears. The U-Net shrinks the image to 7×7 to see '
    'the whole shape and grows it back with skip connections for the fine strokes (it first folds each '
    '2×2 block of pixels into 4 channels, so it works on a 14×14 grid, which makes it several times '
    'cheaper); it is told t so it knows how noisy its input is. Sampling uses a slowly moving average of '
    'the weights (EMA), which draws cleaner digits than the latest, jittery weights, and a temperature: '
    'below 1 it adds a little less fresh noise at each step, for cleaner but less varied digits. '
    "Conditional (the default): the digit's label is added to t, so we can ask for a 7, the way "
    'text-to-image models are asked for a picture; the label is hidden on 10% of training images so the '
    "network also learns to denoise without it, and the guidance scale pushes each sample from 'any "
    "digit' towards 'this digit' (0 ignores the label, 1 just uses it, 3 insists). The 'course' model is "
    "the course's three-convolution listing trained the same way: with no timestep embedding (t only "
    'scales its answer) and no path that sees the whole image (each pixel sees 7×7 pixels), it cannot '
    'draw digits, only blotches.':
        'Um modelo de difusão aprende a limpar ruído. No treinamento pegamos um dígito real, o afogamos numa '
        'quantidade aleatória de ruído gaussiano (passo t de T: um pouco em t = 1, quase pura estática em t ='
        ' T) e pedimos a uma U-Net que diga qual ruído foi adicionado; a perda é o erro quadrático médio '
        'desse palpite. Para desenhar um dígito novo partimos de pura estática e removemos o ruído previsto '
        'aos poucos, devolvendo um pouco de ruído novo a cada passo, até um dígito aparecer. A U-Net encolhe '
        'a imagem para 7×7 para ver a forma inteira e a aumenta de volta com conexões de atalho para os '
        'traços finos (primeiro ela dobra cada bloco 2×2 de pixels em 4 canais, então trabalha numa grade '
        '14×14, o que a deixa várias vezes mais barata); ela recebe t para saber quão ruidosa é sua entrada. '
        'A amostragem usa uma média móvel lenta dos pesos (EMA), que desenha dígitos mais limpos do que os '
        'pesos mais recentes e instáveis, e uma temperatura: abaixo de 1 ela adiciona um pouco menos de ruído'
        ' novo a cada passo, para dígitos mais limpos mas menos variados. Condicional (o padrão): o rótulo do'
        ' dígito é somado a t, então podemos pedir um 7, como se pede uma imagem a modelos de texto para '
        'imagem; o rótulo é escondido em 10% das imagens de treinamento para que a rede também aprenda a '
        "remover ruído sem ele, e a escala de orientação empurra cada amostra de 'qualquer dígito' para 'este"
        " dígito' (0 ignora o rótulo, 1 apenas o usa, 3 insiste). O modelo 'course' é a listagem de três "
        'convoluções do curso treinada do mesmo jeito: sem incorporação do passo de tempo (t só escala a '
        'resposta) e sem caminho que veja a imagem inteira (cada pixel vê 7×7 pixels), ele não consegue '
        'desenhar dígitos, só manchas.',
    'A real test digit (left), then the same digit at growing steps t with one fixed noise: x_t = '
    '√ᾱ_t·x_0 + √(1−ᾱ_t)·ε. This is what the network sees in training; it must guess ε. It never changes '
    'during training: it shows the schedule, not the model.':
        'Um dígito real de teste (à esquerda), depois o mesmo dígito em passos t crescentes com um ruído '
        'fixo: x_t = √ᾱ_t·x_0 + √(1−ᾱ_t)·ε. É isso que a rede vê no treinamento; ela precisa adivinhar ε. '
        'Nunca muda durante o treinamento: mostra a agenda, não o modelo.',
    'A recurrent network reads the digit one column at a time, left to right, keeping a memory (the '
    'hidden state) of what it has seen so far; after the 28th column it decides which digit it was. LSTM '
    'and GRU cells have gates that decide what to keep and what to forget, which lets gradients survive '
    'through many steps; the plain RNN cell has none, and its gradients fade — try the long-range recall '
    'task. On a generated sequence task it reads one symbol per step and predicts the next.':
        'Uma rede recorrente lê o dígito uma coluna por vez, da esquerda para a direita, guardando uma '
        'memória (o estado oculto) do que já viu; depois da 28ª coluna ela decide qual dígito era. As células'
        ' LSTM e GRU têm portões que decidem o que manter e o que esquecer, o que deixa os gradientes '
        'sobreviverem por muitos passos; a célula RNN simples não tem nenhum, e seus gradientes desvanecem — '
        'experimente a tarefa de lembrança de longo alcance. Numa tarefa de sequência gerada ela lê um '
        'símbolo por passo e prevê o próximo.',
    'Adam beta1 for both networks (DCGAN: 0.5)':
        'beta1 do Adam para as duas redes (DCGAN: 0,5)',
    'Adam beta2 for both networks':
        'beta2 do Adam para as duas redes',
    'Asked for a digit, drew that digit':
        'Pediu-se um dígito, desenhou esse dígito',
    'Attention maps (one block per layer and head)':
        'Mapas de atenção (um bloco por camada e cabeça)',
    'Attention over time':
        'Atenção ao longo do tempo',
    'Completions exactly right':
        'Completações exatamente certas',
    'Confusion matrix (test split)':
        'Matriz de confusão (conjunto de teste)',
    'Critic and generator losses':
        'Perdas do crítico e do gerador',
    'D(x) − D(G(z))':
        'D(x) − D(G(z))',
    'DCGAN (GAN convolucional, recomendada)':
        'DCGAN (GAN convolucional, recomendada)',
    "DDIM's η: share of the ancestral step's fresh noise it adds (0 = deterministic, 1 = the ancestral "
    'step again; sampler=ddim only)':
        'O η do DDIM: fração do ruído novo do passo ancestral que ele adiciona (0 = determinístico, 1 = de '
        'novo o passo ancestral; só com sampler=ddim)',
    "Each line is one probe input's hidden state moving over the time steps, projected on the two "
    'directions where the states vary most. Trained, inputs of different classes end in different places;'
    ' untrained, the paths overlap.':
        'Cada linha é o estado oculto de uma entrada de sonda se movendo ao longo dos passos de tempo, '
        'projetado nas duas direções em que os estados mais variam. Treinadas, entradas de classes diferentes'
        ' terminam em lugares diferentes; sem treino, os caminhos se sobrepõem.',
    'Each row is the true digit, each column what the model answered; the diagonal counts the right '
    'answers. A healthy model is bright on the diagonal only; a bright cell off it names two digits it '
    'mixes up (often 4 and 9, 3 and 5). Course topic: evaluating a classifier beyond one accuracy figure.':
        'Cada linha é o dígito verdadeiro, cada coluna o que o modelo respondeu; a diagonal conta as '
        'respostas certas. Um modelo saudável é claro só na diagonal; uma célula clara fora dela aponta dois '
        'dígitos que ele confunde (muitas vezes 4 e 9, 3 e 5). Tópico do curso: avaliar um classificador além'
        ' de um único número de acurácia.',
    'Each row starts at one fixed noise vector and ends at another, in ten even steps along the great '
    'circle between them. A generator that has learned a smooth space morphs one digit into another '
    'through plausible shapes; sudden jumps or blurry middles show regions it never learned. Rows that '
    'barely change, or all look alike, hint at mode collapse. When the model is told a group (a digit, a '
    'cluster or a code), each row keeps one group: then mostly the style moves, and that is not collapse.':
        'Cada linha começa num vetor de ruído fixo e termina em outro, em dez passos iguais ao longo do '
        'grande círculo entre eles. Um gerador que aprendeu um espaço suave transforma um dígito em outro por'
        ' formas plausíveis; saltos bruscos ou meios borrados mostram regiões que ele nunca aprendeu. Linhas '
        'que quase não mudam, ou todas parecidas, sugerem colapso de modo. Quando o modelo recebe um grupo '
        '(um dígito, um agrupamento ou um código), cada linha fica num só grupo: aí muda sobretudo o estilo, '
        'e isso não é colapso.',
    'Feature maps of one probe digit':
        'Mapas de características de um dígito de sonda',
    'First-layer filters':
        'Filtros da primeira camada',
    'For one probe input, how much each token (row) attends to each other token (column), in every layer '
    '(blocks downwards) and head (blocks across). Early in training the weights are spread evenly; heads '
    'that learn something show sharp, distinct patterns (the diagonal, the previous token, the token that'
    ' holds the answer). Under the causal mask the upper right of each block stays empty.':
        'Para uma entrada de sonda, quanto cada token (linha) presta atenção em cada outro token (coluna), em'
        ' cada camada (blocos para baixo) e cabeça (blocos para o lado). No início do treinamento os pesos '
        'são espalhados por igual; cabeças que aprendem algo mostram padrões nítidos e distintos (a diagonal,'
        ' o token anterior, o token que guarda a resposta). Com a máscara causal o canto superior direito de '
        'cada bloco fica vazio.',
    'Forward process: a real digit drowning in noise':
        'Processo direto: um dígito real se afogando no ruído',
    'G: −D(G(z))':
        'G: −D(G(z))',
    'GAN (listagem do curso: MLP)':
        'GAN (listagem do curso: MLP)',
    'GAN condicional (cGAN)':
        'GAN condicional (cGAN)',
    'Grad-CAM of the last convolution for the predicted class, in red-yellow over the digit. A healthy '
    'model lights up the strokes that make the digit; heat on the empty background means it decides from '
    'something other than the digit. Course topic: gradient heat maps / class activation maps.':
        'Grad-CAM da última convolução para a classe prevista, em vermelho-amarelo sobre o dígito. Um modelo '
        'saudável ilumina os traços que formam o dígito; calor no fundo vazio significa que ele decide por '
        'outra coisa que não o dígito. Tópico do curso: mapas de calor do gradiente / mapas de ativação de '
        'classe.',
    'Grad-CAM: where the model looks':
        'Grad-CAM: para onde o modelo olha',
    "Gradient penalty and the critic's gradient norm":
        'Penalidade de gradiente e a norma do gradiente do crítico',
    'Gradient through time':
        'Gradiente ao longo do tempo',
    'Held-out prompts and what the model writes':
        'Prompts separados e o que o modelo escreve',
    'Hidden-state trajectories (PCA)':
        'Trajetórias do estado oculto (PCA)',
    'How much higher the critic scores real digits than fakes: an estimate of the distance between real '
    'and generated digits. It jumps up early, then falls as the generator improves, and, unlike a BCE '
    'loss, it follows sample quality. A steady climb means the critic is running away (raise gp_lambda or'
    ' lower lr_d); wild swings mean too high a learning rate.':
        'Quanto o crítico pontua os dígitos reais acima dos falsos: uma estimativa da distância entre dígitos'
        ' reais e gerados. Sobe rápido no início, depois cai à medida que o gerador melhora e, ao contrário '
        'de uma perda BCE, acompanha a qualidade das amostras. Uma subida constante significa que o crítico '
        'está disparando (aumente gp_lambda ou diminua lr_d); oscilações fortes significam taxa de '
        'aprendizado alta demais.',
    "How real the discriminator finds real digits, D(x), and the generator's fakes, D(G(z)). At 0.5 it cannot "
    "tell them apart: the game's balance, where a perfect generator would leave it. D(x) near 1 with D(G(z)) "
    "near 0 for long is a discriminator that wins. With the non-saturating loss the lab uses (G maximises "
    "log D(G(z))) G's gradient does not fade then (it fades with the original log(1 − D(G(z))), which the lab "
    "does not use): G keeps being pushed, but towards whatever fools this discriminator at the moment, so its "
    "samples do not settle. A lower lr_d, label smoothing or instance noise rebalances it. Both swinging wildly "
    "means the learning rates are too high.":
        "Quão reais o discriminador acha os dígitos reais, D(x), e os falsos do gerador, D(G(z)). Em 0,5 ele não "
        "consegue distingui-los: o equilíbrio do jogo, onde um gerador perfeito o deixaria. D(x) perto de 1 com "
        "D(G(z)) perto de 0 por muito tempo é um discriminador que ganha. Com a perda não saturante que o "
        "laboratório usa (G maximiza log D(G(z))) o gradiente de G não desaparece nesse caso (ele desaparece com a "
        "perda original log(1 − D(G(z))), que o laboratório não usa): G continua sendo empurrado, mas na direção "
        "do que engana este discriminador naquele momento, e suas amostras não se firmam. Um lr_d menor, "
        "suavização de rótulos ou ruído de instância o reequilibram. As duas oscilando muito significa taxas de "
        "aprendizado altas demais.",
    "How strongly the loss reacts to the hidden state at each time step (log scale), averaged over the "
    "probes: the gradient that backpropagation through time (BPTT) carries back from the last step to "
    "the first, through the network unrolled over the steps. A curve that falls by decades towards the "
    "first steps is the vanishing gradient: those steps barely learn, typical of the plain RNN; LSTM and "
    "GRU keep it flatter.":
        'Quão forte a perda reage ao estado oculto em cada passo de tempo (escala log), em média sobre as '
        'sondas: o gradiente que a Backpropagation Through Time (BPTT) leva do último passo ao primeiro, pela '
        'rede desenrolada ao longo do tempo. Uma curva que cai décadas em direção aos primeiros passos é o '
        'desvanecimento do gradiente: '
        'esses passos quase não aprendem, típico da RNN simples; LSTM e GRU a mantêm mais plana.',
    "Judge score (the Inception Score's formula on the MNIST judge)":
        'Nota do juiz (a fórmula do Inception Score com o juiz MNIST)',
    'L1 penalty: adds l1 × Σ|w| over the weight matrices and filters to the loss, driving weights to '
    'exactly zero (0 = off)':
        'Penalidade L1: soma l1 × Σ|w| das matrizes de pesos e filtros à perda, levando pesos a exatamente '
        'zero (0 = desligada)',
    'Long-range recall (generated: a digit, a gap, then recall it)':
        'Lembrança de longo alcance (gerada: um dígito, um intervalo, depois lembrá-lo)',
    'Multi-digit addition (generated, next-token prediction)':
        'Soma de vários dígitos (gerada, previsão do próximo token)',
    'Noise schedule':
        'Agenda de ruído',
    'One fixed noise denoised step by step (left: pure static; right: the sample). Top row of each pair: '
    'the current image x_t; bottom row: the clean digit x̂_0 the network predicts from it. Early in '
    "training x̂_0 is a grey blur; a healthy model's x̂_0 shows the digit's shape halfway through and "
    'only sharpens after. A conditional model runs the same noise once per digit, 0 to 9 from the top: '
    "the label alone decides which digit appears (the course's text-to-image).":
        'Um ruído fixo com o ruído removido passo a passo (à esquerda: pura estática; à direita: a amostra). '
        'Linha de cima de cada par: a imagem atual x_t; linha de baixo: o dígito limpo x̂_0 que a rede prevê '
        'a partir dela. No início do treinamento x̂_0 é um borrão cinza; em um modelo saudável x̂_0 mostra a '
        'forma do dígito na metade do caminho e só fica mais nítido depois. Um modelo condicional roda o '
        'mesmo ruído uma vez por dígito, de 0 a 9 de cima para baixo: só o rótulo decide qual dígito aparece '
        '(o texto-para-imagem do curso).',
    'One row per digit asked for (fixed noise)':
        'Uma linha por dígito pedido (ruído fixo)',
    'Reverse process: from noise to a digit':
        'Difusão reversa: do ruído a um dígito',
    'Share of digits labelled right: on each training batch, on the validation split carved from the '
    'training data, and on the held-out test split. A wide gap between train and validation is '
    'overfitting. The best evaluation is chosen on validation; test is only reported, never used to '
    'choose.':
        'Fração de dígitos rotulados certo: em cada lote de treinamento, na parte de validação separada dos '
        'dados de treinamento, e no conjunto de teste separado. Uma grande distância entre treino e validação'
        ' é sobreajuste. A melhor avaliação é escolhida na validação; o teste só é relatado, nunca usado para'
        ' escolher.',
    'Share of held-out prompts whose whole answer, written one token at a time by the model itself, is '
    'right. It lags the token accuracy: one wrong token spoils an answer, and an early mistake misleads '
    'the tokens after it.':
        'Fração dos prompts separados cuja resposta inteira, escrita um token por vez pelo próprio modelo, '
        'está certa. Fica atrás da acurácia por token: um token errado estraga uma resposta, e um erro no '
        'começo engana os tokens seguintes.',
    'Sixteen fixed prompts the model never trained on, its greedy completion and the right answer. Early '
    'on the outputs are a repeated token; watch the format come first, then the right digits.':
        'Dezesseis prompts fixos com que o modelo nunca treinou, sua completação gulosa e a resposta certa. '
        'No começo as saídas são um token repetido; observe o formato vir primeiro, depois os dígitos certos.',
    'Sorting digits (generated, next-token prediction)':
        'Ordenação de dígitos (gerada, previsão do próximo token)',
    "The first convolution's kernels (kernel_size × kernel_size: 3×3 in the course listing), one square "
    "each. Each square is scaled on its own, from its smallest weight (black) to its largest (white): "
    "grey is not zero, and two squares cannot be compared by brightness. They start as noise; trained, "
    "many become edge and stroke detectors (a bright side next to a dark one). Course topic: "
    "convolutions learn their own local pattern detectors.":
        "Os filtros da primeira convolução (kernel_size × kernel_size: 3×3 na listagem do curso), um quadrado "
        "cada. Cada quadrado tem a sua própria escala, do seu menor peso (preto) ao maior (branco): cinza não é "
        "zero, e dois quadrados não se comparam pelo brilho. Começam como ruído; treinados, muitos viram "
        "detectores de bordas e traços (um lado claro junto a um escuro). Tópico do curso: convoluções aprendem "
        "seus próprios detectores de padrões locais.",
    'The DCGAN with the Wasserstein loss. The discriminator becomes a critic that scores digits instead '
    'of calling them real or fake, and the gap between its scores of real digits and of fakes estimates '
    'how far apart the two are; the generator shrinks that gap. The critic takes several steps (n_critic)'
    ' for each generator step, and a gradient penalty keeps it smooth, which the estimate needs. Its '
    "curves tell more than BCE's: the estimate falls as the samples get better, and the generator keeps "
    'learning even when the critic is ahead.':
        'A DCGAN com a perda de Wasserstein. O discriminador vira um crítico que dá notas aos dígitos em vez '
        'de dizer real ou falso, e a distância entre as notas dos dígitos reais e dos falsos estima quão '
        'longe estão um do outro; o gerador diminui essa distância. O crítico dá vários passos (n_critic) '
        'para cada passo do gerador, e uma penalidade de gradiente o mantém suave, o que a estimativa exige. '
        'Suas curvas dizem mais que as da BCE: a estimativa cai à medida que as amostras melhoram, e o '
        'gerador continua aprendendo mesmo quando o crítico está na frente.',
    "The Inception Score computed with the project's MNIST judge, not with Inception (so compare it only "
    "within this lab): exp of the mean KL divergence between the judge's class probabilities for each "
    'sample and their average. It is 1 when every sample looks the same to the judge and rises towards 10'
    ' when each sample is clearly one digit and all ten digits appear equally. 500 real test digits score'
    ' 8.8.':
        'O Inception Score calculado com o juiz MNIST do projeto, não com a Inception (então compare-o só '
        'dentro deste laboratório): exp da divergência KL média entre as probabilidades de classe do juiz '
        'para cada amostra e sua média. Vale 1 quando toda amostra parece igual para o juiz e sobe em direção'
        ' a 10 quando cada amostra é claramente um dígito e os dez dígitos aparecem por igual. 500 dígitos '
        'reais de teste tiram 8,8.',
    "The course's GAN with convolutions (DCGAN): the generator grows 100 random numbers into a 7×7 map "
    'and doubles it twice with transposed convolutions into a 28×28 digit; the discriminator shrinks a '
    "digit with strided convolutions and says real or fake. Batch norm keeps both games' signals in "
    'range. Filters reused all over the picture learn a stroke once, so it draws digits in minutes where '
    "the course's MLP GAN draws noise. Each step the discriminator judges a batch of real digits and a "
    'batch of fakes, then the generator learns from a fresh batch of noise (separate minibatches). The '
    "samples come from an average of the generator's recent weights (EMA), steadier than the latest ones. "
    'Two additions: the discriminator sees every digit shifted by up to 2 pixels, so it cannot learn the '
    '4,000 real ones by heart; and self-conditioning: the real digits are sorted into 20 groups of '
    'look-alikes by their pixels alone (no labels), and both networks are told the group, as a conditional '
    'GAN is told the digit. Each group is a narrower target than all ten digits at once, so the generator '
    'draws fewer blends of two digits.':
        'A GAN do curso com convoluções (DCGAN): o gerador transforma 100 números aleatórios num mapa 7×7 e o'
        ' dobra duas vezes com convoluções transpostas até um dígito 28×28; o discriminador encolhe um dígito'
        ' com convoluções com stride e diz real ou falso. A normalização por lote mantém os sinais dos dois '
        'jogadores na faixa certa. Filtros reutilizados em toda a figura aprendem um traço uma vez, então ela'
        ' desenha dígitos em minutos, enquanto a GAN MLP do curso desenha ruído. A cada passo o discriminador'
        ' julga um lote de dígitos reais e um lote de falsos, depois o gerador aprende a partir de um lote '
        'novo de ruído (minilotes separados). As amostras vêm de uma média dos pesos recentes do gerador '
        '(EMA), mais estável que os últimos. Dois acréscimos: o discriminador vê cada dígito deslocado em até '
        '2 pixels, então não consegue decorar os 4.000 reais; e o autocondicionamento: os dígitos reais são '
        'separados em 20 grupos de parecidos só pelos pixels (sem rótulos), e as duas redes recebem o grupo, '
        'como a GAN condicional recebe o dígito. Cada grupo é um alvo mais estreito que os dez dígitos de uma '
        'vez, então o gerador desenha menos misturas de dois dígitos.',
    "The course's Transformer as it is written: each token becomes a learned vector, a positional "
    'encoding adds where it stands, and encoder layers let every token look at the tokens before it (the '
    'causal mask hides the future). At every position a decoder scores which token comes next; to answer,'
    ' the model writes one token, reads it back, writes the next (GPT). The BERT option hides random '
    'tokens instead and lets attention look both ways. It trains on generated tasks: sorting digits, '
    'adding numbers, recalling a symbol.':
        'O Transformer do curso como está escrito: cada token vira um vetor aprendido, uma codificação '
        'posicional adiciona onde ele está, e camadas do codificador deixam cada token olhar para os tokens '
        'anteriores (a máscara causal esconde o futuro). Em cada posição um decodificador pontua qual token '
        'vem a seguir; para responder, o modelo escreve um token, lê de volta, escreve o próximo (GPT). A '
        'opção BERT esconde tokens aleatórios e deixa a atenção olhar para os dois lados. Treina em tarefas '
        'geradas: ordenar dígitos, somar números, lembrar um símbolo.',
    "The critic's loss is minus its Wasserstein estimate plus the penalty; the generator's is minus the "
    "critic's score of its fakes. Unlike BCE losses these have no fixed balance level: the generator's "
    "loss drifts with the critic's scale. Watch the Wasserstein estimate instead.":
        'A perda do crítico é menos sua estimativa de Wasserstein mais a penalidade; a do gerador é menos a '
        'nota que o crítico dá aos seus falsos. Ao contrário das perdas BCE, estas não têm um nível de '
        'equilíbrio fixo: a perda do gerador varia com a escala do crítico. Observe a estimativa de '
        'Wasserstein em vez delas.',
    "The penalty keeps the critic's gradient with respect to its input near 1 on points between real and "
    'fake digits (the 1-Lipschitz condition the Wasserstein estimate needs). A healthy run keeps the norm'
    ' near 1 and the penalty small; a norm far above 1 means the critic is too steep and the estimate '
    'cannot be trusted.':
        'A penalidade mantém o gradiente do crítico em relação à sua entrada perto de 1 em pontos entre '
        'dígitos reais e falsos (a condição 1-Lipschitz de que a estimativa de Wasserstein precisa). Uma '
        'execução saudável mantém a norma perto de 1 e a penalidade pequena; uma norma muito acima de 1 '
        'significa que o crítico está íngreme demais e a estimativa não é confiável.',
    'Training loss (every step), validation and test loss (at each evaluation). All should fall. A '
    'validation loss that turns up while the training loss keeps falling is overfitting (early stopping '
    'watches it); a training loss that jumps or becomes huge means the learning rate is too high.':
        'Perda de treinamento (a cada passo), perda de validação e de teste (a cada avaliação). Todas devem '
        'cair. Uma perda de validação que volta a subir enquanto a de treinamento continua caindo é '
        'sobreajuste (a parada antecipada a observa); uma perda de treinamento que salta ou fica enorme '
        'significa taxa de aprendizado alta demais.',
    'Transformer language model (course listing)':
        'Modelo de linguagem Transformer (listagem do curso)',
    'WGAN-GP (Wasserstein com penalidade de gradiente)':
        'WGAN-GP (Wasserstein com penalidade de gradiente)',
    'DCGAN alone':
        'DCGAN sozinha',
    'DCGAN told a group (no labels)':
        'DCGAN que recebe um grupo (sem rótulos)',
    'GANs: conditional GAN':
        'GANs: GAN condicional',
    'On Compare, the sample grids side by side: the lone DCGAN draws more shapes between two digits.':
        'Em Comparar, as grades de amostras lado a lado: a DCGAN sozinha desenha mais formas entre dois dígitos.',
    "One generator turns random noise into all ten digits; somewhere between a 4 and a 9 in its noise it "
    "draws shapes that are neither, and no one can read them. Three runs of the same DCGAN: alone; told "
    "which of 20 groups of look-alike real digits to draw, groups the lab found by their pixels without "
    "any label (self-conditioning); and told the digit itself (the course's conditional GAN).":
        'Um só gerador transforma ruído aleatório nos dez dígitos; em algum lugar entre um 4 e um 9 no seu '
        'ruído ele desenha formas que não são nenhum dos dois, e ninguém consegue lê-las. Três execuções da '
        'mesma DCGAN: sozinha; recebendo qual de 20 grupos de dígitos reais parecidos desenhar, grupos que o '
        'laboratório achou pelos pixels sem nenhum rótulo (autocondicionamento); e recebendo o próprio dígito '
        '(a GAN condicional do curso).',
    'The groups were found without labels: why do they help anyway?':
        'Os grupos foram achados sem rótulos: por que ajudam mesmo assim?',
    "The middle run's view 'What each group draws': each group's average real digit on top, what the "
    "generator draws for it below; a group that holds a 4 and a 9 gets mostly whole 4s and 9s, few blends.":
        "A visualização 'O que cada grupo desenha' da execução do meio: em cima, o dígito real médio de cada "
        'grupo; embaixo, o que o gerador desenha para ele; um grupo que junta um 4 e um 9 ganha quase só 4s '
        'e 9s inteiros, poucas misturas.',
    'The quality chart of each: the share of samples the judge is sure of (recognisability), and class '
    'coverage: all ten digits still drawn?':
        'O gráfico de qualidade de cada uma: a parcela de amostras de que o juiz tem certeza '
        '(reconhecibilidade) e a cobertura de classes: os dez dígitos continuam sendo desenhados?',
    'What does the conditional GAN need that the other two do not, and what can you do with it?':
        'Do que a GAN condicional precisa que as outras duas não precisam, e o que se pode fazer com ela?',
    'Why a GAN draws blends, and what telling it a group does':
        'Por que uma GAN desenha misturas, e o que muda quando ela recebe um grupo',
    'cGAN told the digit':
        'cGAN que recebe o dígito',
    'Walking through the latent space':
        'Caminhando pelo espaço latente',
    'What each group draws':
        'O que cada grupo desenha',
    'One column per group. With self-conditioning (clusters), the top digit is the average of the real '
    'digits the lab put in that group by their pixels alone, with no labels (biggest groups on the left); '
    'under it, digits the generator drew when told that group. A group often holds two look-alike digits '
    '(a 4 and a 9, a 3 and a 5): its column then shows both, mostly each drawn whole. With an InfoGAN code '
    'instead, each column is one value of the code and there is no average: values that draw the same '
    'digit, or blends of two, show why the code finds its digits only by chance.':
        'Uma coluna por grupo. Com o autocondicionamento (clusters), o dígito de cima é a média dos dígitos '
        'reais que o laboratório pôs naquele grupo só pelos pixels, sem rótulos (os maiores grupos à '
        'esquerda); abaixo, dígitos que o gerador desenhou quando lhe disseram aquele grupo. Um grupo muitas '
        'vezes junta dois dígitos parecidos (um 4 e um 9, um 3 e um 5): a coluna mostra então os dois, quase '
        'sempre cada um inteiro. Com um código InfoGAN no lugar, cada coluna é um valor do código e não há média: '
        'valores que desenham o mesmo dígito, ou misturas de dois, mostram por que o código só acha seus '
        'dígitos por acaso.',
    'self-conditioning: the real digits are grouped into this many clusters by their pixels (k-means, no '
    'labels), and both networks are told the cluster, as a conditional GAN is told the digit; samples draw '
    'clusters as often as real digits fall in them (0 = off; not with info_codes)':
        'autocondicionamento: os dígitos reais são separados neste número de grupos pelos pixels (k-means, '
        'sem rótulos), e as duas redes recebem o grupo, como a GAN condicional recebe o dígito; as amostras '
        'sorteiam os grupos na mesma proporção dos dígitos reais (0 = desligado; não junto com info_codes)',
    'Wasserstein estimate: D(x) − D(G(z))':
        'Estimativa de Wasserstein: D(x) − D(G(z))',
    'What each convolution outputs (after its ReLU) for one test digit (knob probe_digit): the block '
    "above the white band is the first layer, the one below the second. Early maps are the digit's edges;"
    ' deeper ones respond to parts of it. Maps black for every digit are dead filters. Course topic: '
    'feature hierarchies.':
        'O que cada convolução produz (após sua ReLU) para um dígito de teste (parâmetro probe_digit): o '
        'bloco acima da faixa branca é a primeira camada, o de baixo a segunda. Os primeiros mapas são as '
        'bordas do dígito; os mais profundos respondem a partes dele. Mapas pretos para todo dígito são '
        'filtros mortos. Tópico do curso: hierarquias de características.',
    "With readout=attention: how much the final step's read-out draws on each time step, per probe. On "
    'recall a trained model puts its weight on the first step, where the digit was.':
        'Com readout=attention: quanto a leitura do passo final usa cada passo de tempo, por sonda. Na '
        'lembrança, um modelo treinado põe seu peso no primeiro passo, onde estava o dígito.',
    "also project the label onto the discriminator's last features (projection discriminator): it asks "
    '"is this a real 7?" directly':
        'também projeta o rótulo nas últimas características do discriminador (discriminador de projeção): '
        'ele pergunta diretamente "isto é um 7 real?"',
    'also read the sequence backwards (images only: a language model must not see the tokens it predicts)':
        'também lê a sequência de trás para frente (só imagens: um modelo de linguagem não pode ver os tokens'
        ' que prevê)',
    "ask for a digit: the label's embedding is added to the timestep's, and samples are drawn one row per"
    ' digit':
        'pedir um dígito: a incorporação do rótulo é somada à do passo de tempo, e as amostras são desenhadas'
        ' uma linha por dígito',
    'attention heads (must divide ninp)':
        'cabeças de atenção (deve dividir ninp)',
    'chance (0.1)':
        'acaso (0,1)',
    'class agreement':
        'acerto da classe',
    'classifier-free guidance scale s at sampling: ε_uncond + s·(ε_cond − ε_uncond); 0 = ignore the '
    'label, 1 = plain conditional, above 1 = more clearly the asked-for digit (conditional models only; 1'
    ' otherwise)':
        'escala s da orientação sem classificador na amostragem: ε_uncond + s·(ε_cond − ε_uncond); 0 = ignora'
        ' o rótulo, 1 = condicional simples, acima de 1 = o dígito pedido mais nítido (só modelos '
        'condicionais; 1 nos outros)',
    'completions exactly right':
        'completações exatamente certas',
    'conditional models: share of training images whose label is dropped, so one network also learns the '
    'unconditional noise that guidance needs':
        'modelos condicionais: fração das imagens de treinamento cujo rótulo é descartado, para que uma rede '
        'também aprenda o ruído incondicional de que a orientação precisa',
    'critic steps, each on its own minibatch, per generator step':
        'passos do crítico, cada um no seu minilote, por passo do gerador',
    'critic: D(G(z)) − D(x) + penalty':
        'crítico: D(G(z)) − D(x) + penalidade',
    "decay of the generator's weight average used for sampling (0 = sample with the latest weights); it "
    'ramps up as (1+n)/(10+n) after n steps until it reaches this value: 0.999 only after about 9,000 steps, '
    'so in a 5-minute run 0.999 and 0.9995 sample alike':
        'decaimento da média dos pesos do gerador usada na amostragem (0 = amostra com os pesos mais '
        'recentes); ele sobe como (1+n)/(10+n) após n passos até chegar a este valor: 0,999 só depois de '
        'cerca de 9.000 passos, então numa execução de 5 minutos 0,999 e 0,9995 amostram igual',
    "dilation of the k×k convolutions: gaps between the kernel's taps widen its view without more weights"
    ' (1 = ordinary)':
        'dilatação das convoluções k×k: espaços entre os pontos do filtro ampliam sua visão sem mais pesos (1'
        ' = comum)',
    'discriminator (critic) learning rate':
        'taxa de aprendizado do discriminador (crítico)',
    'discriminator channels at 14×14 (×2 at 7×7)':
        'canais do discriminador em 14×14 (×2 em 7×7)',
    "dropout inside the encoder (the listing's 0.5 slows these small tasks)":
        'dropout dentro do codificador (o 0,5 da listagem deixa estas tarefas pequenas lentas)',
    "embedding size (the listing's ninp)":
        'tamanho da incorporação (o ninp da listagem)',
    'generator channels at 14×14 (×2 at 7×7)':
        'canais do gerador em 14×14 (×2 em 7×7)',
    'generator steps per discriminator step (to rebalance a discriminator that wins)':
        'passos do gerador por passo do discriminador (para reequilibrar um discriminador que ganha)',
    'gpt: predict the next token under the causal mask; bert: predict masked tokens, attention both ways':
        'gpt: prevê o próximo token com a máscara causal; bert: prevê tokens mascarados, atenção para os dois'
        ' lados',
    'held-out prompts':
        'prompts separados',
    'how the resolution is halved: max-pooling (the course listing) or a stride-2 convolution that learns'
    ' its own downsampling':
        'como a resolução é reduzida à metade: max-pooling (a listagem do curso) ou uma convolução com stride'
        ' 2 que aprende sua própria redução',
    "initial forget-gate bias of the LSTM (0 = PyTorch's default init; 1 or more keeps the memory open at"
    ' the start, the common practice)':
        'viés inicial do portão de esquecimento da LSTM (0 = inicialização padrão do PyTorch; 1 ou mais '
        'mantém a memória aberta no início, a prática comum)',
    'initial hidden state: zeros, or learned':
        'estado oculto inicial: zeros, ou aprendido',
    'judge score':
        'nota do juiz',
    'noise schedule: how fast the image drowns in noise (β linear, quadratic, logarithmic, or cosine ᾱ)':
        'agenda de ruído: quão rápido a imagem se afoga no ruído (β linear, quadrática, logarítmica, ou ᾱ '
        'cosseno)',
    "normalisation in the discriminator's second layer: batch norm (DCGAN), layer norm (per sample) or "
    'none':
        'normalização na segunda camada do discriminador: normalização por lote (DCGAN), normalização por '
        'camada (por amostra) ou nenhuma',
    'number format of the training forward pass: fp32; bf16 (autocast to bfloat16, CPUs with native '
    'bfloat16 or CUDA); fp16 (float16 with a gradient scaler, CUDA only); auto (bf16 on such a CPU, fp16 '
    'on CUDA, else fp32)':
        'formato numérico da passagem para frente no treinamento: fp32; bf16 (autocast para bfloat16, CPUs '
        'com bfloat16 nativo ou CUDA); fp16 (float16 com escalador de gradiente, só CUDA); auto (bf16 numa '
        'CPU assim, fp16 em CUDA, senão fp32)',
    'one time step is an image column (left to right, as the course listing) or a row (top to bottom)':
        'um passo de tempo é uma coluna da imagem (da esquerda para a direita, como na listagem do curso) ou '
        'uma linha (de cima para baixo)',
    'penalty λ(‖∇D‖ − 1)²':
        'penalidade λ(‖∇D‖ − 1)²',
    'pixels: every digit the discriminator sees, real or fake, is first shifted by up to this many '
    '(differentiable augmentation: D cannot learn 4,000 digits by heart)':
        'pixels: todo dígito que o discriminador vê, real ou falso, é antes deslocado em até este tanto '
        '(augmentação de dados diferenciável: D não consegue decorar 4.000 dígitos)',
    "weight of InfoGAN's code-guessing loss in both players' losses":
        "peso da perda do código InfoGAN (a adivinhação do código) nas perdas dos dois jogadores",
    'InfoGAN: a random category with this many values joins the noise, and the discriminator learns to '
    'tell from the image which one was drawn: each value comes to draw its own kind of digit instead of '
    'blends (0 = off; set clusters=0 first)':
        'InfoGAN: uma categoria aleatória com este número de valores se junta ao ruído, e o discriminador '
        'aprende a dizer pela imagem qual foi sorteada: cada valor passa a desenhar seu próprio tipo de '
        'dígito em vez de misturas (0 = desligado; antes ponha clusters=0)',
    'real labels become 1 - this value (BCE only)':
        'rótulos reais viram 1 - este valor (só BCE)',
    'scale of the noise z when sampling (the truncation trick: 1 = as in training; lower = less varied '
    'digits, often cleaner: the DCGAN preset samples at 0.7)':
        'escala do ruído z na amostragem (o truque de truncamento: 1 = como no treinamento; menor = dígitos '
        'menos variados, muitas vezes mais limpos: o preset da DCGAN amostra a 0,7)',
    'score':
        'nota',
    'share of tokens replaced by [MASK] in BERT-style training':
        'fração dos tokens trocados por [MASK] no treinamento estilo BERT',
    'test accuracy at best validation':
        'acurácia de teste na melhor validação',
    "the game's loss: the course's binary cross-entropy or the hinge loss":
        'a perda do jogo: a entropia cruzada binária do curso ou a perda hinge',
    "the generator's step draws its own fresh noise (separate minibatches) instead of reusing the fakes "
    'the discriminator just judged':
        'o passo do gerador sorteia seu próprio ruído novo (minilotes separados) em vez de reaproveitar os '
        'falsos que o discriminador acabou de julgar',
    "the noise predictor: the U-Net, or the course's listing (three 3×3 convolutions, output scaled by t;"
    ' no timestep embedding, no multi-scale path: it draws no digits)':
        'o preditor de ruído: a U-Net, ou a listagem do curso (três convoluções 3×3, saída escalada por t; '
        'sem incorporação do passo de tempo, sem caminho multiescala: não desenha dígitos)',
    'the second convolution: plain (the course listing), residual (a ResNet block with batch norm and a '
    'shortcut) or inception (1×1 / 3×3 / 5×5 / pooling branches side by side)':
        'a segunda convolução: simples (a listagem do curso), residual (um bloco ResNet com normalização por '
        'lote e um atalho) ou inception (ramos 1×1 / 3×3 / 5×5 / pooling lado a lado)',
    'validation':
        'validação',
    'value':
        'valor',
    "weight initialisation: PyTorch's default, He (Kaiming, for ReLU-like activations) or Glorot (Xavier,"
    ' for tanh and sigmoid)':
        'inicialização dos pesos: a padrão do PyTorch, He (Kaiming, para ativações tipo ReLU) ou Glorot '
        '(Xavier, para tanh e sigmoide)',
    "weight initialization: DCGAN's N(0, 0.02), He (Kaiming) or Glorot (Xavier)":
        'inicialização dos pesos: N(0, 0,02) da DCGAN, He (Kaiming) ou Glorot (Xavier)',
    'weight λ of the gradient penalty (WGAN-GP: 10)':
        'peso λ da penalidade de gradiente (WGAN-GP: 10)',
    'what a token is: image rows (28 tokens), 7×7 patches (16 tokens), or vit: patches with a class token'
    ' and learned positions (as in ViT)':
        'o que é um token: linhas da imagem (28 tokens), blocos 7×7 (16 tokens), ou vit: blocos com um token '
        'de classe e posições aprendidas (como na ViT)',
    "what the head reads: the last hidden state, or attention over every time step's hidden state":
        'o que a cabeça lê: o último estado oculto, ou atenção sobre o estado oculto de cada passo de tempo',
    'which of the 16 fixed test digits the feature-map view shows':
        'qual dos 16 dígitos de teste fixos a visualização de mapas de características mostra',
    "β_t is how much fresh noise step t adds; ᾱ_t how much of the digit's signal is left after t steps (1 = "
    "clean, 0 = pure static). A good schedule lets ᾱ fall to about 0 at the last step, so sampling can start "
    "from pure noise. Linear drowns the digit by the middle (ᾱ ≈ 0.08 at T/2), cosine falls evenly (0.49 at "
    "T/2); the logarithmic one stays almost clean for the first quarter (ᾱ ≈ 0.94 at T/4), still keeps most "
    "of the signal halfway (ᾱ ≈ 0.71 at T/2, already a noise of standard deviation 0.54 on a digit in "
    "[-1, 1]) and drowns it fast after that. The course's noise functions.":
        "β_t é quanto ruído novo o passo t adiciona; ᾱ_t quanto do sinal do dígito resta depois de t passos (1 = "
        "limpo, 0 = pura estática). Uma boa agenda deixa ᾱ cair até cerca de 0 no último passo, para que a "
        "amostragem possa começar de puro ruído. A linear afoga o dígito até a metade (ᾱ ≈ 0,08 em T/2), a "
        "cosseno cai por igual (0,49 em T/2); a logarítmica fica quase limpa no primeiro quarto (ᾱ ≈ 0,94 em "
        "T/4), ainda guarda a maior parte do sinal na metade (ᾱ ≈ 0,71 em T/2, já com um ruído de desvio padrão "
        "0,54 sobre um dígito em [-1, 1]) e o afoga depressa depois disso. As funções de ruído do curso.",
    '‖∇D‖ = 1: Lipschitz':
        '‖∇D‖ = 1: Lipschitz',
    '‖∇ₓD(x̂)‖':
        '‖∇ₓD(x̂)‖',
    # ---- presets and lesson races the architectures declare (Train page) --------------------------------
    "Add two 3-digit numbers (GPT-style)": "Somar dois números de 3 dígitos (estilo GPT)",
    "Attention over the columns": "Atenção sobre as colunas",
    "Learned initial state": "Estado inicial aprendido",
    "Read rows instead of columns": "Ler linhas em vez de colunas",
    "Recall over 100 steps (LSTM)": "Lembrança ao longo de 100 passos (LSTM)",
    "Sort 6 digits (BERT-style: fill in the masked answer)": "Ordenar 6 dígitos (estilo BERT: preencher a resposta mascarada)",
    "Sort 6 digits (GPT-style)": "Ordenar 6 dígitos (estilo GPT)",
    "Long-range recall: plain RNN against LSTM (distance 100)":
        "Lembrança de longo alcance: RNN simples contra LSTM (distância 100)",
    "Long-range recall: plain RNN against plain RNN with attention (distance 100)":
        "Lembrança de longo alcance: RNN simples contra RNN simples com atenção (distância 100)",
    "The same plain RNN cell twice; the second reads out through attention over every time step, so its "
    "answer can look straight back at the first step's hidden state instead of carrying it through 100 "
    "steps. Attention bridges the gap the plain cell's gradient cannot.":
        "A mesma célula RNN simples duas vezes; a segunda faz a leitura final com atenção sobre todos os passos "
        "de tempo, então sua resposta pode olhar direto para o estado oculto do primeiro passo em vez de "
        "carregá-lo por 100 passos. A atenção atravessa o intervalo que o gradiente da célula simples não consegue.",
    "plain RNN + attention": "RNN simples + atenção",
    # ---- axis, colour-bar and series words of the media views (the architectures' meta, drawn by charts.py)
    "β_t (noise added at step t)": "β_t (ruído adicionado no passo t)",
    "ᾱ_t (share of the image's signal power left)": "ᾱ_t (fração da potência do sinal da imagem que resta)",
    "head · attended token": "cabeça · token observado",
    "predicted": "previsto",
    "principal component 1": "componente principal 1",
    "principal component 2": "componente principal 2",
    "step t": "passo t",
    "time step": "passo de tempo",
    "attention weight": "peso da atenção",
    "layer · token": "camada · token",
    "true": "verdadeiro",
    "digits": "dígitos",
    # ---- lessons and break-it scenarios (deeparch/course/lessons.py) ----------------------------------------
    '100 per class, no augmentation':
        '100 por classe, sem augmentação de dados',
    '100 per class, shifts and rotations':
        '100 por classe, deslocamentos e rotações',
    'An MLP with dropout and augmentation beside the same MLP with neither, both on 50 labelled images '
    'per digit: the second learns its 500 images by heart, and its validation loss turns up.':
        'Um MLP com dropout e augmentação de dados ao lado do mesmo MLP sem nenhum dos dois, ambos com 50 imagens '
        'rotuladas por dígito: o segundo decora suas 500 imagens, e sua perda de validação volta a subir.',
    "A convolution reuses one small filter all over the image; a fully connected layer has a weight from "
    "every input to every unit. Same data, same epochs, three networks: the course's CNN, the same CNN "
    "with 32 hidden units instead of 128, and an MLP. The course's CNN has the most weights (1,625,866), "
    "but its filters hold only 18,816 of them: the rest is its dense layer from 12,544 features to 128 "
    "units. With 32 units the CNN has 420,586 weights, fewer than the MLP's 535,818, and still reads "
    "digits better.":
        "Uma convolução reutiliza um pequeno filtro em toda a imagem; uma camada totalmente conectada tem um "
        "peso de cada entrada para cada unidade. Mesmos dados, mesmas épocas, três redes: a CNN do curso, a "
        "mesma CNN com 32 unidades ocultas em vez de 128, e um MLP. A CNN do curso tem mais pesos (1.625.866), "
        "mas seus filtros guardam só 18.816 deles: o resto é a camada densa de 12.544 características para 128 "
        "unidades. Com 32 unidades a CNN tem 420.586 pesos, menos que os 535.818 do MLP, e ainda lê dígitos "
        "melhor.",
    "Both read a digit, 100 blanks, then a question mark, and must answer the digit. The plain RNN's "
    'gradient fades over the gap and it stays near chance (10%); the LSTM, its forget gate open at the '
    'start (forget_bias 3), carries the digit in its cell.':
        'As duas leem um dígito, 100 espaços em branco, depois um ponto de interrogação, e precisam responder'
        ' o dígito. O gradiente da RNN simples desvanece ao longo do intervalo e ela fica perto do acaso '
        '(10%); a LSTM, com o portão de esquecimento aberto no início (forget_bias 3), carrega o dígito em '
        'sua célula.',
    'CNN':
        'CNN',
    'CNN against a plain network (MLP)':
        'CNN contra uma rede simples (MLP)',
    'CNN architectures':
        'arquiteturas de CNN',
    'CNN variants: batch norm, residual, Inception, dilated, strided':
        'Variantes de CNN: normalização por lote, residual, Inception, dilatada, com stride',
    'D 10× faster':
        'D 10× mais rápido',
    "D(x) climbs to 1 and D(G(z)) sinks to 0 within a few hundred steps in the broken run; in the healthy run "
    "they stay apart from those ends. G's gradient norm does not fade in either run.":
        'D(x) sobe até 1 e D(G(z)) desce até 0 em poucas centenas de passos na execução quebrada; na saudável eles '
        'ficam longe desses extremos. A norma do gradiente de G não desaparece em nenhuma das duas.',
    'DDPM':
        'DDPM',
    'Diffusion':
        'Difusão',
    'Diffusion: from noise to digits':
        'Difusão: do ruído aos dígitos',
    "Discriminator learning rate 10× the generator's":
        'Taxa de aprendizado do discriminador 10× a do gerador',
    'End on Compare: the headline of each run, and the time each took.':
        'Termine em Comparar: a medida principal de cada execução, e o tempo que cada uma levou.',
    'GAN (DCGAN)':
        'GAN (DCGAN)',
    'GAN training':
        'treinamento de GANs',
    'How would you have found the right learning rate?':
        'Como você teria encontrado a taxa de aprendizado certa?',
    'How would you rebalance?':
        'Como você reequilibraria o jogo?',
    'LSTM':
        'LSTM',
    'Learning rate 10× too high':
        'Taxa de aprendizado 10× alta demais',
    'Learning rate too high, too low, about right':
        'Taxa de aprendizado alta demais, baixa demais, quase certa',
    'Look at the gap between train and test accuracy of each.':
        'Veja a distância entre a acurácia de treino e a de teste de cada uma.',
    'MLP':
        'MLP',
    'No regularization on 50 labels per class':
        'Sem regularização com 50 rótulos por classe',
    "Open 'The model itself' under each CNN on Live: the layer classifier.1 (12,544 → 128 or → 32) holds "
    "almost all its weights; the convolutions under features hold few.":
        "Abra 'O próprio modelo' sob cada CNN em Ao vivo: a camada classifier.1 (12.544 → 128 ou → 32) guarda "
        "quase todos os seus pesos; as convoluções em features guardam poucos.",
    "On Compare, read the number of weights and the accuracy of each: the small CNN beats the MLP with fewer "
    "weights.":
        "Em Comparar, leia o número de pesos e a acurácia de cada uma: a CNN pequena vence o MLP com menos pesos.",
    "CNN (course listing)":
        "CNN (listagem do curso)",
    "CNN, 32 hidden units":
        "CNN, 32 unidades ocultas",
    "Where would you cut weights in the course's CNN without touching its filters?":
        "Onde você cortaria pesos da CNN do curso sem mexer nos seus filtros?",
    'On Compare: the headline accuracy of each, and its training time.':
        'Em Comparar: a acurácia principal de cada uma, e seu tempo de treinamento.',
    'On Live, D(x) and D(G(z)): near 0.5 is a balanced game; D(x)→1, D(G(z))→0 is a winning '
    'discriminator.':
        'Em Ao vivo, D(x) e D(G(z)): perto de 0,5 é um jogo equilibrado; D(x)→1, D(G(z))→0 é um discriminador'
        ' que ganha.',
    'On Live, the loss of lr 1: it shoots up in a few steps and the run stops as diverged.':
        'Em Ao vivo, a perda de lr 1: ela dispara em poucos passos e a execução para como divergente.',
    'On Live: the loss curves in the first epoch: which variant starts fastest?':
        'Em Ao vivo: as curvas de perda na primeira época: qual variante começa mais rápido?',
    'Open the GAN: its two losses fight; the samples go from noise to strokes.':
        'Abra a GAN: suas duas perdas brigam; as amostras vão de ruído a traços.',
    'Open the diffusion model: its loss falls smoothly, and its samples come late but clean.':
        'Abra o modelo de difusão: sua perda cai suavemente, e suas amostras chegam tarde mas limpas.',
    'Open the per-layer gradient heat map of each run: compare the top rows (input side).':
        'Abra o mapa de calor do gradiente por camada de cada execução: compare as linhas de cima (lado da '
        'entrada).',
    'Overfitting on few labels, and what augmentation does':
        'Sobreajuste com poucos rótulos, e o que a augmentação de dados faz',
    'RNN (LSTM)':
        'RNN (LSTM)',
    'ReLU, 8 layers':
        'ReLU, 8 camadas',
    'Sigmoid activations in a deep network':
        'Ativações sigmoides numa rede profunda',
    'Eight sigmoid layers instead of ReLU: the gradient reaching the first layers is thousands of times '
    'smaller than at the last one.':
        'Oito camadas sigmoides em vez de ReLU: o gradiente que chega às primeiras camadas é milhares de '
        'vezes menor do que na última.',
    'Eight sigmoid layers squash the gradient at every layer: the layers near the input barely learn. ReLU '
    'keeps it alive.':
        'Oito camadas sigmoides esmagam o gradiente a cada camada: as camadas perto da entrada quase não '
        'aprendem. A ReLU o mantém vivo.',
    'Start on Live with the three classifiers: which accuracy rises fastest, and why does the CNN need '
    'fewer steps?':
        'Comece em Ao vivo com os três classificadores: qual acurácia sobe mais rápido, e por que a CNN '
        'precisa de menos passos?',
    'The GAN game: balance, and a discriminator that wins':
        'O jogo da GAN: equilíbrio, e um discriminador que ganha',
    "The U-Net beside the course listing's three convolutions, trained the same way: without a timestep "
    'embedding or a path that sees the whole image, the toy draws blotches, never digits.':
        'A U-Net ao lado das três convoluções da listagem do curso, treinadas do mesmo jeito: sem '
        'incorporação do passo de tempo nem um caminho que veja a imagem inteira, o modelo de brinquedo '
        'desenha manchas, nunca dígitos.',
    'The accuracy chart of each: the gap between the train and validation curves.':
        'O gráfico de acurácia de cada uma: a distância entre as curvas de treino e de validação.',
    'The accuracy of each: the LSTM jumps to 100% within a few hundred steps, the plain RNN stays at 10%.':
        'A acurácia de cada uma: a LSTM salta para 100% em algumas centenas de passos, a RNN simples fica em '
        '10%.',
    "The broken run's loss and gradient norm shoot up within a few steps; it stops as diverged.":
        'A perda e a norma do gradiente da execução quebrada disparam em poucos passos; ela para como '
        'divergente.',
    "The broken run's validation loss turns up while its training loss keeps falling.":
        'A perda de validação da execução quebrada volta a subir enquanto sua perda de treinamento continua '
        'caindo.',
    'The course CNN and its variants on the same data, seed and budget: batch normalisation, a residual '
    '(ResNet) block, an Inception block, dilated convolutions, and a stride-2 convolution instead of '
    'max-pooling. Compare their accuracy, their speed and their number of weights.':
        'A CNN do curso e suas variantes com os mesmos dados, semente e orçamento: normalização por lote, um '
        'bloco residual (ResNet), um bloco Inception, convoluções dilatadas e uma convolução com stride 2 no '
        'lugar do max-pooling. Confira a acurácia, a velocidade e o número de pesos de cada uma.',
    "The course's three-convolution diffusion model":
        'O modelo de difusão de três convoluções do curso',
    "The discriminator learns ten times faster than the generator (the generator's rate cut tenfold, the "
    "discriminator's unchanged) and wins the game: it tells every fake apart. The generator's gradient does not "
    "fade (the non-saturating loss keeps it), but its small steps cannot keep up with the discriminator.":
        'O discriminador aprende dez vezes mais rápido que o gerador (a taxa do gerador dividida por dez, a do '
        'discriminador sem mudança) e vence o jogo: distingue toda falsificação. O gradiente do gerador não '
        'desaparece (a perda não saturante o mantém), mas seus passos pequenos não acompanham o discriminador.',
    'The five architectures side by side':
        'As cinco arquiteturas lado a lado',
    "The gradient through time of each: the plain RNN's curve falls by many decades towards the first "
    'steps.':
        'O gradiente ao longo do tempo de cada uma: a curva da RNN simples cai muitas décadas em direção aos '
        'primeiros passos.',
    'The gradient-norm chart of each: the exploding one grows by decades.':
        'O gráfico da norma do gradiente de cada uma: o que explode cresce décadas.',
    "The hidden-state paths (PCA): the LSTM's paths split by digit and stay apart until the end.":
        'Os caminhos do estado oculto (PCA): os caminhos da LSTM se separam por dígito e continuam afastados '
        'até o fim.',
    'The loss chart: the validation loss of the first run turns up while its training loss keeps falling.':
        'O gráfico de perda: a perda de validação da primeira execução volta a subir enquanto sua perda de '
        'treinamento continua caindo.',
    'The loss of lr 0.001: it falls, but so slowly that 5 epochs are not enough.':
        'A perda de lr 0,001: ela cai, mas tão devagar que 5 épocas não bastam.',
    'The loss: it falls fast, then slowly; it never reaches 0 because the noise is random.':
        'A perda: cai rápido, depois devagar; nunca chega a 0 porque o ruído é aleatório.',
    'The model learns to remove a little noise at a time; sampling runs that in reverse from pure noise.':
        'O modelo aprende a remover um pouco de ruído por vez; a amostragem, a difusão reversa, parte de puro '
        'ruído e o remove passo a passo.',
    'The per-layer gradient heat map: the first rows of the broken run are dark.':
        'O mapa de calor do gradiente por camada: as primeiras linhas da execução quebrada são escuras.',
    'The quality figures: recognisability and coverage rise together.':
        'As medidas de qualidade: reconhecibilidade e cobertura sobem juntas.',
    'The same 4,000 digits, five ways of learning from them: a CNN and an RNN that read digits, a '
    'Transformer that reads rows as tokens, a GAN and a diffusion model that learn to draw them. The '
    'diffusion model starts first, since it needs the longest; the classifiers then take turns beside it, '
    'and the GAN comes last.':
        'Os mesmos 4.000 dígitos, cinco maneiras de aprender com eles: uma CNN e uma RNN que leem dígitos, um'
        ' Transformer que lê as linhas como tokens, uma GAN e um modelo de difusão que aprendem a '
        'desenhá-los. O modelo de difusão começa primeiro, porque é o mais demorado; os classificadores '
        'se revezam ao lado dele, e a GAN vem por último.',
    'The same network with three learning rates: too small crawls, too large explodes, the middle one '
    'learns.':
        'A mesma rede com três taxas de aprendizado: a pequena demais se arrasta, a grande demais explode, a '
        'do meio aprende.',
    'The same network, with a learning rate ten times the one that works: the loss explodes.':
        'A mesma rede, com uma taxa de aprendizado dez vezes a que funciona: a perda explode.',
    'The samples and the class histogram: are all ten digits drawn?':
        'As amostras e o histograma de classes: os dez dígitos são desenhados?',
    'The samples from fixed noise at each grid: blobs, then strokes, then digits.':
        'As amostras a partir de ruído fixo em cada grade: borrões, depois traços, depois dígitos.',
    "The samples of each; the judge Fréchet distance: the toy's stays far above the U-Net's.":
        'As amostras de cada uma; a distância de Fréchet do juiz: a do modelo de brinquedo fica muito acima '
        'da da U-Net.',
    "The sigmoid run's loss stays at 2.30: the network guesses.":
        'A perda da execução sigmoide fica em 2,30: a rede está chutando.',
    "The two players' losses: which one runs to 0?":
        'As perdas dos dois jogadores: qual delas corre para 0?',
    'A network learns digits 0 to 4 from all their training images. A second one starts from its weights '
    '(a new output layer for the new digits) and learns digits 5 to 9 from only 10 labelled images of each; '
    'a third learns the same 50 images from scratch. All of it twice: with the course CNN (its convolutions '
    "frozen) and with the Transformer (first its new output layer learns alone for 20 epochs, on the features "
    "it was given, then all of it). The CNN's convolutions already expect strokes "
    'anywhere in the picture, so it learns 5 to 9 well even from scratch and gains a few points; the '
    'Transformer expects nothing of a picture and gains more from what it saw of 0 to 4. Each fine-tune '
    'waits in the queue until its pre-training has finished.':
        'Uma rede aprende os dígitos 0 a 4 com todas as suas imagens de treinamento. Uma segunda parte dos '
        'pesos dela (uma nova camada de saída para os novos dígitos) e aprende os dígitos 5 a 9 com apenas 10 '
        'imagens rotuladas de cada; uma terceira aprende as mesmas 50 imagens do zero. Tudo duas vezes: com a '
        'CNN do curso (convoluções congeladas) e com o Transformer (primeiro a sua nova camada de saída aprende '
        'sozinha por 20 épocas, sobre os atributos que recebeu, depois tudo). As convoluções da CNN já esperam '
        'traços em qualquer lugar da figura, então ela aprende 5 a 9 bem mesmo do zero e ganha '
        'poucos pontos; o Transformer não espera nada de uma figura e ganha mais com o que viu de 0 a 4. Cada '
        'ajuste fino espera na fila até o seu pré-treinamento terminar.',
    'CNN pre-train: digits 0–4':
        'CNN, pré-treinamento: dígitos 0–4',
    'CNN fine-tune: 5–9, 10 labels each':
        'CNN, ajuste fino: 5–9, 10 rótulos cada',
    'CNN from scratch: 5–9, 10 labels each':
        'CNN do zero: 5–9, 10 rótulos cada',
    'Transformer pre-train: digits 0–4':
        'Transformer, pré-treinamento: dígitos 0–4',
    'Transformer fine-tune: 5–9, 10 labels each':
        'Transformer, ajuste fino: 5–9, 10 rótulos cada',
    'Transformer from scratch: 5–9, 10 labels each':
        'Transformer do zero: 5–9, 10 rótulos cada',
    'The two pre-trainings first: each reads digits 0–4 almost perfectly.':
        'Primeiro os dois pré-treinamentos: cada um lê os dígitos 0–4 quase perfeitamente.',
    "Then each pair on digits 5–9: which one's accuracy starts higher, and which ends higher?":
        'Depois cada par nos dígitos 5–9: qual acurácia começa mais alta, e qual termina mais alta?',
    "The Transformer fine-tune's gradient chart: only its output layer learns for 20 epochs, then the encoder's "
    "layers join in.":
        'O gráfico de gradientes do ajuste fino do Transformer: só a camada de saída aprende por 20 épocas, '
        'depois as camadas do codificador entram.',
    'End on Compare: how many points each architecture gains from its pre-training.':
        'Termine em Comparar: quantos pontos cada arquitetura ganha com o seu pré-treinamento.',
    'Why does the Transformer gain more from pre-training than the CNN?':
        'Por que o Transformer ganha mais com o pré-treinamento do que a CNN?',
    'Transfer learning: digits 0–4 help with digits 5–9':
        'Transferência de aprendizagem: os dígitos 0–4 ajudam com os dígitos 5–9',
    'Transformer':
        'Transformer',
    'Two CNNs learn from the same 100 labelled images per digit. One sees them as they are and soon knows'
    ' them by heart (training accuracy near 100%, validation far below); the other sees each one shifted '
    'and rotated a little at every step, so it must learn the digit, not the picture.':
        'Duas CNNs aprendem com as mesmas 100 imagens rotuladas por dígito. Uma as vê como são e logo as '
        'decora (acurácia de treino perto de 100%, validação bem abaixo); a outra vê cada uma um pouco '
        'deslocada e girada a cada passo, então precisa aprender o dígito, não a figura.',
    'Two players learn against each other. With equal learning rates the game stays balanced for a while; with '
    "a discriminator learning ten times faster than the generator, it wins at once: the generator's gradient "
    'does not fade, but its small steps cannot keep up.':
        'Dois jogadores aprendem um contra o outro. Com taxas de aprendizado iguais o jogo fica equilibrado por um '
        'tempo; com um discriminador que aprende dez vezes mais rápido que o gerador, ele vence logo: o gradiente '
        'do gerador não desaparece, mas seus passos pequenos não o acompanham.',
    "G's gradient norm in each run: the winning discriminator does not make it fade.":
        'A norma do gradiente de G em cada execução: o discriminador que vence não a faz desaparecer.',
    'Vanishing gradients in a deep sigmoid network':
        'Desvanecimento do gradiente numa rede sigmoide profunda',
    'Vanishing gradients through time: plain RNN against LSTM':
        'Desvanecimento do gradiente ao longo do tempo: RNN simples contra LSTM',
    'Watch the three accuracy curves on Live: which rise faster, which end higher?':
        'Observe as três curvas de acurácia em Ao vivo: quais sobem mais rápido, quais terminam mais altas?',
    'What did the frozen convolutions learn on 0–4 that still helps on 5–9?':
        'O que as convoluções congeladas aprenderam com 0–4 que ainda ajuda com 5–9?',
    'What does a residual connection let the gradient do?':
        'O que uma conexão residual permite ao gradiente?',
    'What does the diffusion model pay for its better samples?':
        'Quanto o modelo de difusão paga por suas amostras melhores?',
    'What does the generator learn from a discriminator that is always right?':
        'O que o gerador aprende com um discriminador que sempre acerta?',
    'What does the network need to know to remove the right amount of noise?':
        'O que a rede precisa saber para remover a quantidade certa de ruído?',
    'What does the timestep tell the network?':
        'O que o passo de tempo diz à rede?',
    'What else besides augmentation fights overfitting?':
        'O que mais, além da augmentação de dados, combate o sobreajuste?',
    "If the generator's gradient does not fade, why do its samples not improve?":
        'Se o gradiente do gerador não desaparece, por que suas amostras não melhoram?',
    'What would you try after a diverged run?':
        'O que você tentaria depois de uma execução divergente?',
    "When would starting from another task's weights not help?":
        'Quando partir dos pesos de outra tarefa não ajudaria?',
    'Which architecture would you pick to read digits on a phone, and why?':
        'Que arquitetura você escolheria para ler dígitos num celular, e por quê?',
    'Which course remedies do you know?':
        'Que remédios do curso você conhece?',
    'Which curve would you watch to stop training at the right time?':
        'Que curva você observaria para parar o treinamento na hora certa?',
    'Which model would still work if the digits were shifted by a few pixels?':
        'Qual modelo ainda funcionaria se os dígitos fossem deslocados alguns pixels?',
    "Which part of the LSTM lets the digit's memory through unchanged?":
        'Que parte da LSTM deixa a memória do dígito passar sem mudanças?',
    "Why can't we compare a GAN and a CNN by accuracy?":
        'Por que não podemos comparar uma GAN e uma CNN pela acurácia?',
    'Why does ReLU not have this problem (as much)?':
        'Por que a ReLU não tem esse problema (tanto)?',
    'Why does a shifted 7 still count as a 7 for the network?':
        'Por que um 7 deslocado ainda conta como 7 para a rede?',
    'Why does multiplying by the same matrix 100 times shrink the gradient?':
        'Por que multiplicar pela mesma matriz 100 vezes encolhe o gradiente?',
    'Why does sampling take many steps?':
        'Por que a amostragem leva muitos passos?',
    'Why does sharing a filter over the whole image help?':
        'Por que compartilhar um filtro pela imagem inteira ajuda?',
    'Why does the sigmoid shrink the gradient at every layer?':
        'Por que a sigmoide encolhe o gradiente a cada camada?',
    'Why not always use a tiny learning rate to be safe?':
        'Por que não usar sempre uma taxa de aprendizado minúscula, por segurança?',
    'Why would a strided convolution be cheaper?':
        'Por que uma convolução com stride seria mais barata?',
    'balanced':
        'equilibrada',
    'broken: course listing':
        'quebrada: listagem do curso',
    'broken: lr 1':
        'quebrada: lr 1',
    'broken: lr_g ÷ 10':
        'quebrada: lr_g ÷ 10',
    'broken: no regularization':
        'quebrada: sem regularização',
    'broken: sigmoid':
        'quebrada: sigmoide',
    'cnn batch norm':
        'cnn normalização por lote',
    'cnn dilated':
        'cnn dilatada',
    'cnn inception':
        'cnn inception',
    'cnn plain':
        'cnn simples',
    'cnn residual':
        'cnn residual',
    'cnn strided':
        'cnn com stride',
    'convolutional networks':
        'redes convolucionais',
    'diffusion models':
        'modelos de difusão',
    'healthy: ReLU':
        'saudável: ReLU',
    'healthy: U-Net':
        'saudável: U-Net',
    'healthy: dropout + augmentation':
        'saudável: dropout + augmentação de dados',
    'healthy: equal rates':
        'saudável: taxas iguais',
    'healthy: lr 0.1':
        'saudável: lr 0,1',
    'lr 0.001 (too low)':
        'lr 0,001 (baixa demais)',
    'lr 0.1 (about right)':
        'lr 0,1 (quase certa)',
    'lr 1 (too high)':
        'lr 1 (alta demais)',
    'optimization: the learning rate':
        'otimização: a taxa de aprendizado',
    'overfitting':
        'sobreajuste',
    'plain RNN':
        'RNN simples',
    'recurrent networks: LSTM and GRU':
        'redes recorrentes: LSTM e GRU',
    'regularization: data augmentation':
        'regularização: augmentação de dados',
    'sigmoid, 8 layers':
        'sigmoide, 8 camadas',
    "the course's five architectures":
        'as cinco arquiteturas do curso',
    'transfer learning':
        'transferência de aprendizagem',
    'vanishing gradients':
        'desvanecimento do gradiente',
}

# error messages built by the library (deeparch/course/config.py, archs' checks, the worker): English → Portuguese
PATTERNS = (
    (r"is out of range: must be", "está fora do intervalo: deve ser"),
    (r": must be a finite number, ", ": deve ser um número finito, "),
    (r": must be true or false", ": deve ser verdadeiro ou falso"),
    (r": must be ", ": deve ser "),
    (r"\bone of\b", "um de"),
    (r"\btrue or false\b", "verdadeiro ou falso"),
    # a range, its ends written as a Brazilian reads them: "float in [0, 0.999]" → "um número entre 0 e 0,999"
    (r"\b(int|float) in \[(\S+), (\S+)\]", lambda m: _range(m[1], m[2], m[3])),
    (r"\(write numbers like (\S+) (\S+) or (\S+)\)", r"(escreva números como \1 \2 ou \3)"),
    # a value refused by its range, in Brazilian notation: "lr=1000000000.0 está fora…" → "lr=1.000.000.000 está fora…"
    (r"\b(\w+)=(-?\d[\d.]*(?:e[+-]?\d+)?)(?= está fora do intervalo)", lambda m: f"{m[1]}={_number(m[2])}"),
    (r"^unknown hyperparameters? (.*) for (\w+); valid: ", r"hiperparâmetro desconhecido \1 para \2; válidos: "),
    (r"must be divisible by", "deve ser divisível por"),
    # why a run ended (deeparch/engine/trainer.py, worker.py, jobs.py write them into the store in English)
    (r"training diverged \(learning rate too high\?\)", "o treinamento divergiu (taxa de aprendizado alta demais?)"),
    (r"\(learning rate too high\?\)", "(taxa de aprendizado alta demais?)"),
    # the value that diverged, by its metric key (kept visible, as the charts' keys): "loss grew to 45 …"
    (r"^loss (became|grew to)\b", r"a perda (loss) \1"),
    (r"^g_loss (became|grew to)\b", r"a perda do gerador (g_loss) \1"),
    (r"^d_loss (became|grew to)\b", r"a perda do discriminador (d_loss) \1"),
    (r"^(\w+) (became|grew to)\b", r"o valor \1 \2"),
    (r"\bbecame\b", "virou"),
    (r"\bgrew to (\S+) \(limit (\S+)\)", lambda m: f"cresceu até {_decimal(m[1])} (limite {_decimal(m[2])})"),
    (r"\bat step (\d+)", r"no passo \1"),
    (r"^worker process died", "o processo de treinamento morreu"),
    (r"^worker process did not start", "o processo de treinamento não iniciou"),
    (r"^worker stopped reporting", "o processo de treinamento parou de dar notícias"),
    (r"^worker stopped responding \(no heartbeat for (\S+) s\)",
     r"o processo de treinamento parou de responder (sem sinal de vida há \1 s)"),
    (r"^did not answer the stop request within (\S+) s and was ended",
     r"não respondeu ao pedido de parada em \1 s e foi encerrado"),
    (r"^worker exited unexpectedly", "o processo de treinamento terminou inesperadamente"),
    (r"^interrupted from the keyboard", "interrompido pelo teclado"),
    (r"^stopped before it started$", "parada antes de começar"),
    # a configuration refused before launch (deeparch/execution/memory.py)
    (r"^this configuration needs about (\S+) GB of memory to train \((\S+) GB of weights, (\S+) GB for a step on a "
     r"batch of (\d+): gradients, optimizer state, activations\), but only (\S+) GB is available; lower batch_size "
     r"or the model's size$",
     lambda m: "esta configuração precisa de cerca de {} GB de memória para treinar ({} GB de pesos, {} GB para um "
               "passo num lote de {}: gradientes, estado do otimizador, ativações), mas só há {} GB disponíveis; "
               "diminua batch_size ou o tamanho do modelo".format(*(_decimal(g) for g in m.groups()))),
    # a classifier's data practices (deeparch/course/config.py: CLASSIFIER's parsers and check_classifier)
    (r"cannot read ('[^']*')", r"não foi possível ler \1"),
    (r"('[^']*') is not a range of classes 0 to 9", r"\1 não é um intervalo de classes de 0 a 9"),
    (r"a classifier needs at least two classes", "um classificador precisa de pelo menos duas classes"),
    (r"('[^']*') is not a layer name", r"\1 não é um nome de camada"),
    (r"; must be ", "; deve ser "),
    (r"\bclasses like 5-9 or 0,2,4 \(empty = all\)", "classes como 5-9 ou 0,2,4 (vazio = todas)"),
    (r"\blayer names like (\S+) or (\S+) \(empty = none\)", r"nomes de camadas como \1 ou \2 (vazio = nenhuma)"),
    (r"\blayer names like (\S+) \(empty = load every layer\)",
     r"nomes de camadas como \1 (vazio = carregar todas as camadas)"),
    (r"^patience \(early stopping\) reads the validation loss: set val_split above 0$",
     "patience (parada antecipada) lê a perda de validação: ponha val_split acima de 0"),
    (r"^fresh names layers not to load from the init_from run: set init_from$",
     "fresh nomeia camadas que não são carregadas da execução init_from: defina init_from"),
    (r"^unfreeze_after says when the frozen layers start learning: set freeze$",
     "unfreeze_after diz quando as camadas congeladas começam a aprender: defina freeze"),
    (r"^unfreeze_after=(\d+) is not below epochs=(\d+): the frozen layers would never learn \(use "
     r"unfreeze_after=0 to keep them frozen\)$",
     r"unfreeze_after=\1 não é menor que epochs=\2: as camadas congeladas nunca aprenderiam (use "
     r"unfreeze_after=0 para mantê-las congeladas)"),
    # knob combinations the GAN family refuses (deeparch/course/archs/dcgan.py: check_common)
    (r"^label_smoothing=(\S+) needs loss=bce: it softens BCE's real target 1; the (\S+) loss has no target to soften$",
     r"label_smoothing=\1 exige loss=bce: ela suaviza o alvo 1 dos reais na BCE; a perda \2 não tem alvo a suavizar"),
    (r"^clusters=(\d+) and info_codes=(\d+) both tell the generator a group: use one \(set info_codes=0 for "
     r"self-conditioning, or clusters=0 for the InfoGAN code\)$",
     r"clusters=\1 e info_codes=\2 dão ambos um grupo ao gerador: use um só (info_codes=0 para o "
     r"autocondicionamento, ou clusters=0 para o código InfoGAN)"),
    (r"^clusters=(\d+) needs batch_size >= (\d+): the first batch of real digits seeds one cluster each$",
     r"clusters=\1 exige batch_size >= \2: o primeiro lote de dígitos reais semeia um grupo cada"),
    (r"^g_steps > 1 needs separate_batches=true: without it every generator step would reuse the one batch of "
     r"fakes the discriminator judged$",
     r"g_steps > 1 exige separate_batches=true: sem isso cada passo do gerador reusaria o único lote de falsos "
     r"que o discriminador julgou"),
    # a sweep's values (deeparch/execution/sweep.py)
    (r"^sweep (\w+): ", r"varredura \1: "),
    (r"give at least 2 values, separated by semicolons \(;\)", "dê pelo menos 2 valores, separados por ponto e vírgula (;)"),
    (r"give at least 2 values, separated by commas", "dê pelo menos 2 valores, separados por vírgulas"),
    (r"at most (\d+) values, got (\d+)", r"no máximo \1 valores, foram dados \2"),
    (r"(\S+) is given twice$", r"\1 foi dado duas vezes"),
    # what a control did (deeparch/execution/jobs.py's answers)
    (r"^stop requested$", "parada pedida"),
    (r"^pause requested$", "pausa pedida"),
    (r"^resumed$", "retomada"),
    (r"^queued from its last checkpoint$", "na fila, a partir do último checkpoint"),
    (r"^queued$", "na fila"),
)


def _number(text: str) -> str:
    """A number an English message wrote (10000, 0.999, 1e-07) as a Brazilian reads it (10.000; 0,999; 1e-07)."""
    from deeparch.present import numerals  # a leaf: the catalog imports nothing that imports it

    try:
        return numerals.readable(int(text) if text.lstrip("-").isdigit() else float(text), "pt-BR")
    except ValueError:
        return text


def _decimal(text: str) -> str:
    """A number as an English message wrote it, digits kept, with the Brazilian marks: 27.0 → 27,0;
    1.2e+03 → 1,2 × 10³."""
    from deeparch.present import numerals

    return numerals.localize(numerals.powers_of_ten(text), "pt-BR")


def _range(kind: str, lo: str, hi: str) -> str:
    what = "um inteiro" if kind == "int" else "um número"
    if lo == "-inf" and hi == "inf":
        return what
    if lo == "-inf":
        return f"{what} até {_number(hi)}"
    if hi == "inf":
        return f"{what} a partir de {_number(lo)}"
    return f"{what} entre {_number(lo)} e {_number(hi)}"


def _merge(into: dict, more: dict) -> None:
    """Adds ``more``'s keys to ``into``, section by section (nested dicts merge, they are not replaced)."""
    for key, value in more.items():
        if isinstance(value, dict) and isinstance(into.get(key), dict):
            _merge(into[key], value)
        else:
            into[key] = value


# words of the pages and features merged after the first translation (Lessons, Draw, sweeps, compression,
# model view, language models), kept together so the sections above stay as they were reviewed
_merge(PAGES, {
    "app": {"draw": "Desenhe um dígito", "lessons": "Aulas"},
    "lesson": {
        "question": "- {text}",
        "questions": "Perguntas para a turma",
        "script_title": "Aula: {title}",
        "step": "{n}. {text}",
        "watch": "O que observar",
    },
    "compare": {
        "final_cols": {"best_val_acc": "melhor acurácia de validação"},
        "sweep": "Varredura",
        "sweep_help": "Uma varredura (lançada em Treinar → Varredura ou com `python -m deeparch sweep`) mostra sua "
                      "medida final em função dos parâmetros que variou, depois as curvas de todas as suas "
                      "execuções. Escolha nenhuma para selecionar as execuções você mesmo.",
        "sweep_no_headline": "Estas execuções não declaram uma medida principal para desenhar em função dos parâmetros.",
        "sweep_none": "nenhuma: escolha as execuções abaixo",
        "sweep_option": "{group} ({n} execuções)",
        "sweep_progress": "{done} de {n} execuções terminaram; um ponto aparece assim que sua execução for avaliada.",
        "sweep_title": "{metric} por {knobs}",
        "sweep_x": " × ",
        "view_pick": "Visualização",
        "view_pick_help": "Qualquer visualização que as arquiteturas das execuções selecionadas declarem; uma "
                          "execução cuja arquitetura não tem essa visualização avisa.",
    },
    "draw": {
        "answer": "**{name}** diz **{label}** ({conf:.0%} de certeza)",
        "bars": "Quão certo {name} está de cada dígito",
        "bars_x": "dígito",
        "bars_y": "probabilidade",
        "cam": "Grad-CAM: para onde {name} olha",
        "cam_explain": "Vermelho-amarelo onde está a evidência da última convolução para o dígito previsto. Numa CNN "
                       "bem treinada, segue os seus traços; calor no espaço vazio significa que o modelo decide por ele.",
        "clear": "Limpar",
        "empty": "Desenhe um dígito para ver as previsões.",
        "failed": "{name}: não foi possível ler o checkpoint ({error}).",
        "intro": "Desenhe um dígito no quadrado preto com o mouse (ou com o dedo). Quando você soltar, cada "
                 "classificador escolhido diz o que vê, a partir do seu último checkpoint: uma execução ainda em "
                 "treinamento responde com o que aprendeu até agora.",
        "none": "Nenhum classificador tem checkpoint ainda: treine antes uma CNN (ou outro classificador) por uma época.",
        "pick": "Classificadores",
        "pick_help": "Execuções de uma arquitetura classificadora que já gravaram um checkpoint (após a primeira época).",
        "pick_none": "Escolha um classificador acima.",
        "title": "Desenhe um dígito",
        "what_we_see": "O que os modelos veem (28 × 28, centralizado como os dígitos do MNIST)",
    },
    "lessons": {
        "break_intro": "Cada cenário treina uma execução saudável ao lado de outra quebrada de propósito. A quebrada "
                       "mostra um sintoma que você vai encontrar em projetos reais; as notas ao lado da execução em "
                       "Ao vivo dão o nome dele.",
        "double": "Esta aula foi lançada há um instante; não vamos lançá-la duas vezes.",
        "intro": "Cada aula lança um conjunto de execuções com um clique e as abre em Ao vivo. Leia o roteiro "
                 "enquanto treinam: o que observar, em que ordem, e as perguntas para fazer à turma.",
        "invalid": "Esta aula não pode ser lançada aqui: {error}",
        "launch": "Lançar ({n} execuções)",
        "launch_one": "Lançar (1 execução)",
        "open": "Abrir as execuções em Ao vivo",
        "run": "- **{label}**: {arch}",
        "running": "Execuções desta aula ainda treinando ou esperando: {ids}.",
        "starts_from": " (parte dos pesos de *{source}*)",
        "symptom": "Sintoma a encontrar: **{symptom}**",
        "tab_break": "Quebre",
        "tab_lessons": "Aulas",
        "title": "Aulas",
        "topic": "Tópico do curso: {topic} · cerca de {minutes:g} min num notebook de 2 núcleos",
        "symptoms": {
            "loss_diverging": "a perda diverge",
            "grad_spread": "desvanecimento do gradiente",
            "d_winning": "o discriminador ganha",
            "d_winning_grad": "o discriminador ganha",
            "overfitting": "sobreajuste",
            "no_digits": "nenhum dígito nas amostras",
            "not_digits": "nenhum dígito nas amostras",
        },
    },
    "live": {
        "diag": {
            "d_winning": "O discriminador está ganhando: D(x) {d_x:.2f}, D(G(z)) {d_g_z:.2f}: ele distingue toda "
                         "falsificação. Com a perda não saturante o gradiente do gerador não desaparece, mas só empurra "
                         "para o que engana este discriminador agora, e as amostras não se firmam; tente um lr_d menor, "
                         "suavização de rótulos ou ruído de instância.",
            "d_winning_grad": "O discriminador está ganhando: D(x) {d_x:.2f}, D(G(z)) {d_g_z:.2f}, uma diferença de "
                              "{gap:.2f}. A norma do gradiente do G é {g_grad:.3g} (começou perto de {g_grad_early:.3g}): "
                              "com a perda não saturante ela não desaparece, mas só empurra para o que engana este "
                              "discriminador no momento, e as amostras não viram dígitos. Desacelere o discriminador "
                              "(um lr_d menor) ou use suavização de rótulos ou ruído de instância.",
            "game_blowup": "A perda do G explodiu: agora {now:.3g}, começou perto de {early:.3g}. As perdas de uma GAN "
                           "oscilam enquanto os dois jogadores se alternam, mas não tanto assim: os veredictos do "
                           "discriminador saturaram. Diminua as duas taxas de aprendizado.",
            "grad_exploding": "Explosão do gradiente: a norma do gradiente é {now:.3g}, começou perto de {early:.3g}.",
            "grad_spread": "Gradientes {ratio:.0e}× menores em {low} do que em {high}: o sinal desvanece ao longo "
                           "da profundidade da rede.",
            "grad_vanishing_layer": "Desvanecimento do gradiente na camada {layer} (‖grad‖ {value:.1e}): ela parou "
                                    "de aprender.",
            "grad_vanishing_time": "O gradiente no primeiro passo de tempo é {ratio:.1e} do último: desvanecimento "
                                   "ao longo do tempo (uma LSTM ou GRU o mantém mais plano).",
            "loss_diverging": "A perda está subindo: agora {now:.3g}, a melhor foi {best:.3g}. Divergindo: diminua a "
                              "taxa de aprendizado ou defina grad_clip.",
            "loss_nonfinite": "A perda virou infinita ou NaN no passo {step:,}: a execução divergiu. Diminua a taxa "
                              "de aprendizado ou defina grad_clip.",
            "mode_collapse": "Colapso de modo: a cobertura de classes caiu para {now:.2f} (melhor {best:.2f}); o "
                             "gerador desenha poucos tipos de dígito.",
            "few_digits": "As amostras cobrem poucos tipos de dígito: cobertura de classes {now:.2f} (os dez "
                          "igualmente: 1). O gerador desenha um ou dois dígitos.",
            "not_digits": "As amostras não parecem dígitos (ainda): o juiz diz que {share:.0%} delas não são dígitos. "
                          "No início do treinamento isso é normal; se continuar, o modelo não consegue desenhar.",
            "no_digits": "As amostras não parecem dígitos (ainda): a distância de Fréchet do juiz é {now:.0f}; dígitos "
                         "reais ficam abaixo de 10. No início do treinamento isso é normal; se continuar, o modelo "
                         "não consegue desenhar.",
            "overfitting": "Sobreajuste: a perda nos dados separados subiu para {now:.3g}, da melhor {best:.3g} no "
                           "passo {best_step:,}, enquanto a perda de treinamento continuou caindo.",
        },
        "model": "O próprio modelo: {name}",
        "model_code": "O código do modelo, de `{path}`",
        "model_cols": {"module": "módulo", "own": "parâmetros próprios", "total": "parâmetros no total", "type": "tipo"},
        "model_differs": "**Como difere da listagem do curso.** {text}",
        "model_none": "A arquitetura desta execução não existe nesta versão do laboratório.",
        "model_tree": "Camadas e seus parâmetros (próprios: da própria camada; total: com tudo o que está abaixo dela)",
    },
    "runs": {
        "compress": "Comprimir {name}",
        "compress_busy": "Podando, quantizando e cronometrando o modelo na CPU…",
        "compress_cols": {
            "agree": "Mesma previsão que o original",
            "gzip_mb": "Comprimido (gzip, MB)",
            "latency_b1_ms": "Latência, 1 imagem (ms)",
            "latency_b256_ms": "Latência, 256 imagens (ms)",
            "size_mb": "Tamanho (MB)",
            "sparsity": "Pesos zerados",
            "test_acc": "Acurácia de teste",
            "variant": "Versão",
        },
        "compress_failed": "Não foi possível comprimir esta execução: {error}",
        "compress_go": "Medir",
        "compress_int8": "Quantização dinâmica int8",
        "compress_intro": "Deixe o modelo treinado menor e veja quanto custa: a poda zera os menores pesos (magnitude "
                          "L1), a quantização dinâmica int8 guarda os pesos das camadas Linear e recorrentes como "
                          "inteiros de 8 bits. Cada versão é medida na CPU desta máquina contra o original.",
        "compress_none": "nenhuma",
        "compress_nothing": "Escolha uma fração de poda acima de 0, int8, ou os dois.",
        "compress_pick": "Marque uma execução de classificador terminada para comprimi-la.",
        "compress_quantized": "Trocadas por int8: {names}. Mantidas em float32 (sem kernel int8): {kept}.",
        "compress_scope": "Alcance da poda",
        "compress_scopes": {"global": "modelo inteiro (os menores pesos em qualquer lugar)",
                            "layer": "a mesma fração em cada camada"},
        "compress_sparsity": "Poda: fração dos pesos zerados",
        "compress_sparsity_help": "0 = sem poda. Os pesos de menor valor absoluto saem primeiro.",
        "compress_timing": "Latência: mediana de {repeats} passagens para frente em {threads} thread(s) da CPU, nesta "
                           "máquina agora; outros programas rodando ao mesmo tempo a deixam mais lenta.",
    },
    "train": {
        "augment_preview": "O que a augmentação de dados faz: cada linha é uma imagem de treinamento, seguida de cinco "
                           "versões dela como os passos de treinamento a verão com estes ajustes.",
        "group_data": "Dados, augmentação de dados e transferência de aprendizagem",
        "group_dataset": "Ajustes do conjunto de dados",
        "kind_language_model": "modelo de linguagem: aprende a continuar sequências de tokens (tarefas geradas)",
        "lesson": "Corridas de aula",
        "lesson_budget": "Defina antes o orçamento e a semente acima.",
        "lesson_intro": "Uma aula contada pondo ajustes para competir entre si (mesmos dados, semente e orçamento "
                        "de acima).",
        "lesson_launch": "Lançar corrida da aula",
        "lesson_pick": "Aula",
        "lesson_run_name": "{label} · {title}",
        "presets": "Predefinições",
        "presets_help": "Ajustes que mostram o efeito de um recurso; eles substituem os campos abaixo.",
        "sweep_count": "{n} execuções; até {slots} treinam ao mesmo tempo, as outras esperam na fila.",
        "sweep_intro": "Uma varredura treina uma execução para cada combinação dos valores abaixo, com todos os "
                       "outros ajustes como na aba Uma execução ({arch}). As execuções esperam na fila e treinam "
                       "algumas por vez; Comparar mostra depois a medida final em função dos parâmetros: uma linha "
                       "para um parâmetro, um mapa de calor para dois.",
        "sweep_knob1": "Parâmetro",
        "sweep_knob2": "Segundo parâmetro (opcional)",
        "sweep_launch": "Lançar varredura",
        "sweep_name": "varredura {knobs} {time}",
        "sweep_no_knob": "nenhum",
        "sweep_values": "Valores de {knob}",
        "sweep_values_help": "{help}. Separe os valores com {sep}, por exemplo {sample}. Cada um é {range}.",
        "list_comma": "vírgulas (,)", "list_semicolon": "ponto e vírgula (;)",
        "sweep_x": " × ",
        "tab_sweep": "Varredura",
    },
})

# how the architectures merged today differ from the course listing
MESSAGES.update({
    "The course lists only the MLP GAN; this is the DCGAN recipe it names: transposed convolutions in the generator, strided convolutions with batch norm in the discriminator, Adam with beta1 0.5, plus separate minibatches and an average of the generator's weights for sampling; the preset adds self-conditioning (both networks are told which of 20 groups of look-alike real digits, found without labels, a digit belongs to) and shifts what the discriminator sees (differentiable augmentation).":
        'O curso lista só a GAN MLP; esta é a receita DCGAN que ele cita: convoluções transpostas no gerador, convoluções com stride e normalização por lote no discriminador, Adam com beta1 0,5, além de minibatches separados e uma média dos pesos do gerador para amostrar; a configuração padrão acrescenta o autocondicionamento (as duas redes recebem a qual de 20 grupos de dígitos reais parecidos, achados sem rótulos, um dígito pertence) e desloca o que o discriminador vê (augmentação de dados diferenciável).',
    "Not in the course listing: the DCGAN with the digit's label given to both networks (the course's conditional GAN), so one can ask for a 7.":
        'Não está na listagem do curso: a DCGAN com o rótulo do dígito dado às duas redes (a GAN condicional do curso), para pedir um 7.',
    'Not in the course listing: the DCGAN trained with the Wasserstein loss and the gradient penalty the course names; the discriminator becomes a critic without a sigmoid.':
        'Não está na listagem do curso: a DCGAN treinada com a perda de Wasserstein e a penalidade de gradiente que o curso cita; o discriminador vira um crítico sem sigmoide.',
    "The course's TransformerModel listing (embedding × √d, sinusoidal positions, causal mask, a decoder at "
    "every position, uniform ±0.1 init) with three changes: the positional encoding adds no dropout (the "
    "listing's PositionalEncoding(ninp, dropout) does), the encoder's dropout is 0 instead of 0.5 (it slows "
    "these small tasks; a knob), and the data are generated sorting, addition and recall tasks instead of "
    "a text corpus.":
        "A listagem TransformerModel do curso (embedding × √d, posições senoidais, máscara causal, um "
        "decodificador em cada posição, inicialização uniforme ±0,1) com três mudanças: a codificação posicional "
        "não aplica dropout (a PositionalEncoding(ninp, dropout) da listagem aplica), o dropout do codificador é "
        "0 em vez de 0,5 (ele atrasa estas tarefas pequenas; é um ajuste) e os dados são tarefas geradas de "
        "ordenação, soma e lembrança em vez de um corpus de texto.",
    "The course listing, layer for layer, at its defaults (32 and 64 filters, 3×3 kernels, pooling, "
    "dropout 0.25 and 0.5, 128 hidden units), with its inputs in [-1, 1]. Almost all of its 1,625,866 "
    "weights are in the first linear layer (64 maps of 14×14 = 12,544 inputs to 128 units: 1,605,760); "
    "the two convolutions hold 18,816. Knobs add what the listing leaves fixed: other widths, kernel sizes "
    "and hidden units, batch normalisation, and the course's variants (residual or Inception block, "
    "dilation, a strided convolution instead of pooling).":
        "A listagem do curso, camada por camada, nos seus valores padrão (32 e 64 filtros, filtros 3×3, "
        "pooling, dropout 0,25 e 0,5, 128 unidades ocultas), com as entradas em [-1, 1]. Quase todos os seus "
        "1.625.866 pesos estão na primeira camada linear (64 mapas de 14×14 = 12.544 entradas para 128 "
        "unidades: 1.605.760); as duas convoluções têm 18.816. Os ajustes acrescentam o que a listagem deixa "
        "fixo: outras larguras, tamanhos de filtro e unidades ocultas, normalização por lote e as variantes do "
        "curso (bloco residual ou Inception, dilatação, uma convolução com stride no lugar do pooling).",
    "The course listing at its defaults: a 2-layer LSTM of 128 units reading the image column by column, "
    "left to right (28 time steps of 28 pixels, the listing's permute(0, 2, 1)), the last step's output "
    "into a linear layer. One difference: its pixels are in [-1, 1], as for every model of the lab, where "
    "the listing's ToTensor() alone gives [0, 1]. Knobs swap the cell (GRU or a plain RNN, to see "
    "vanishing gradients), the depth and width and the reading direction, and add dropout, a "
    "bidirectional reading or attention over the time steps.":
        "A listagem do curso nos seus valores padrão: uma LSTM de 2 camadas com 128 unidades que lê a imagem "
        "coluna por coluna, da esquerda para a direita (28 passos de tempo de 28 pixels, o permute(0, 2, 1) da "
        "listagem), com a saída do último passo numa camada linear. Uma diferença: os pixels ficam em [-1, 1], "
        "como em todos os modelos do laboratório, enquanto o ToTensor() sozinho da listagem dá [0, 1]. Os "
        "ajustes trocam a célula (GRU ou uma RNN simples, para ver o desvanecimento do gradiente), a "
        "profundidade, a largura e a direção de leitura, e acrescentam dropout, leitura bidirecional ou "
        "atenção sobre os passos de tempo.",
    "The course's MLP generator (100 → 256 → 512 → 784, Tanh) and discriminator (784 → 512 → 256 → 1, "
    "LeakyReLU 0.2) as listed. The discriminator's Sigmoid is folded into the loss (BCE with logits: the "
    "same maths, numerically safer); Adam with β1 = 0.5 as in DCGAN; label smoothing and instance noise "
    "are optional knobs.":
        "O gerador MLP (100 → 256 → 512 → 784, Tanh) e o discriminador (784 → 512 → 256 → 1, LeakyReLU 0,2) "
        "da listagem do curso. A Sigmoid do discriminador entra na função de perda (BCE com logits: a mesma "
        "conta, numericamente mais segura); Adam com β1 = 0,5 como na DCGAN; suavização de rótulos e ruído de "
        "instância são ajustes opcionais.",
    "Not a course listing: the plain fully-connected baseline the course contrasts the CNN with. It sees "
    "the 784 pixels as one flat list.":
        "Não é uma listagem do curso: a rede totalmente conectada simples com que o curso compara a CNN. Ela vê "
        "os 784 pixels como uma lista plana.",
    "The course's TransformerModel classifies digits instead of predicting the next word: the "
    "nn.Embedding of word ids becomes a linear layer over pixel rows (or 7×7 patches), and the decoder to"
    " ntoken words becomes a head over the mean of the encoded tokens with 10 outputs. The sinusoidal "
    "positions, the sqrt(ninp) scaling and nn.TransformerEncoder are as listed, but the positional encoding "
    "has no dropout of its own and the encoder's dropout is 0.1 instead of 0.5; the square subsequent mask"
    " is the causal knob, off by default since a digit's rows are all known at once.":
        "O TransformerModel do curso classifica dígitos em vez de prever a próxima palavra: o nn.Embedding de "
        "ids de palavras vira uma camada linear sobre as linhas de pixels (ou blocos 7×7), e o decodificador "
        "para ntoken palavras vira uma cabeça sobre a média dos tokens codificados, com 10 saídas. As posições "
        "senoidais, a escala sqrt(ninp) e o nn.TransformerEncoder são os da listagem, mas a codificação "
        "posicional não tem dropout próprio e o dropout do codificador é 0,1 em vez de 0,5; a máscara "
        "quadrada subsequente é o ajuste causal, desligado por padrão, já que todas as linhas de um dígito "
        "são conhecidas de uma vez.",
    "Much bigger than the course's three 3×3 convolutions scaled by t/1000, which cannot produce digits: "
    "a small U-Net of residual blocks with a sinusoidal time embedding and an optional self-attention, "
    "trained as in DDPM (Ho et al., 2020) to predict the noise, with an EMA of the weights for sampling. "
    "The chain is shorter: T = 250 noising steps instead of the listing's 1000 (a knob), the noise of "
    "each step scaled up so the digit still drowns by the end, and sampling visits 100 of them. The "
    "module docstring walks through each change.":
        "Muito maior que as três convoluções 3×3 do curso escaladas por t/1000, que não conseguem produzir "
        "dígitos: uma pequena U-Net de blocos residuais com uma incorporação senoidal do tempo e uma "
        "autoatenção opcional, treinada como na DDPM (Ho et al., 2020) para prever o ruído, com uma média "
        "móvel (EMA) dos pesos para amostrar. A cadeia é mais curta: T = 250 passos de ruído em vez dos 1000 "
        "da listagem (um ajuste), com o ruído de cada passo aumentado para que o dígito ainda se afogue no "
        "fim, e a amostragem visita 100 deles. A docstring do módulo explica cada mudança.",
})

# a generated task's settings (deeparch.course.tasks)
MESSAGES.update({
    "generated training sequences (the test split is 1,000 more)":
        "sequências de treinamento geradas (a divisão de teste tem mais 1.000)",
    "blank steps between the digit and the question mark":
        "passos em branco entre o dígito e o ponto de interrogação",
    "digits to sort": "dígitos a ordenar",
    "digits of each number": "dígitos de cada número",
    "write the sum lowest digit first (the carry then flows in reading order)":
        "escrever a soma a partir do dígito menos significativo (o \"vai um\" segue então a ordem de leitura)",
})

# refusals of the command line and of the environment, unreadable checkpoints, and the run store's address:
# put before the generic patterns above, which would otherwise translate them word by word
PATTERNS = (
    (r": must be a whole number from (\S+) to (\S+)", r": deve ser um número inteiro de \1 a \2"),
    (r": must be a number from (\S+) to (\S+)", r": deve ser um número de \1 a \2"),
    (r" \(0: torch's choice\)", " (0: o torch escolhe)"),
    (r" \(0: the default, 3\)", " (0: o padrão, 3)"),
    (r": the checkpoint is not a plain tensor file; it was refused, nothing in it ran",
     ": o checkpoint não é um arquivo simples de tensores; foi recusado, e nada nele foi executado"),
    (r": the file cannot be read as a checkpoint \(", ": o arquivo não pode ser lido como checkpoint ("),
    (r"^no run with id (\S+)$", r"não há execução com id \1"),
    (r"^no run (\S+) in (.+)$", r"não há execução \1 em \2"),
    (r"^sweep point (.+?): ", r"ponto da varredura \1: "),
    (r"init_from=(\S+): there is no run (\S+) in this store", r"init_from=\1: não há execução \2 neste armazém"),
    (r"^the run store (\S+) cannot be reached \((.*)\); start PostgreSQL or check DEEPARCH_DB \(see the README's "
     r"runbook\)$",
     r"o armazém de execuções \1 não pode ser alcançado (\2); inicie o PostgreSQL ou confira DEEPARCH_DB (veja o "
     r"roteiro do README)"),
) + PATTERNS
