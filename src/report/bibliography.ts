/**
 * Every work a report may cite, cited in the text by `cite` exactly ("Vaswani et al., 2017"): the
 * Sources section lists the entries whose `cite` occurs in the report, so it has one for every
 * paper, dataset and model the report names, and none it does not.
 */
export interface Reference {
  cite: string;
  entry: string; // authors (year). Title. Venue. Link.
}

export const REFERENCES = {
  vaswani2017: { cite: 'Vaswani et al., 2017', entry: 'Vaswani, A., Shazeer, N., Parmar, N., Uszkoreit, J., Jones, L., Gomez, A. N., Kaiser, Ł., Polosukhin, I. (2017). Attention Is All You Need. *Advances in Neural Information Processing Systems 30 (NeurIPS 2017)*, 5998–6008. https://arxiv.org/abs/1706.03762' },
  he2016: { cite: 'He et al., 2016', entry: 'He, K., Zhang, X., Ren, S., Sun, J. (2016). Deep Residual Learning for Image Recognition. *CVPR 2016*, 770–778. https://arxiv.org/abs/1512.03385' },
  ba2016: { cite: 'Ba et al., 2016', entry: 'Ba, J. L., Kiros, J. R., Hinton, G. E. (2016). Layer Normalization. arXiv:1607.06450. https://arxiv.org/abs/1607.06450' },
  devlin2019: { cite: 'Devlin et al., 2019', entry: 'Devlin, J., Chang, M.-W., Lee, K., Toutanova, K. (2019). BERT: Pre-training of Deep Bidirectional Transformers for Language Understanding. *NAACL-HLT 2019*, 4171–4186. https://aclanthology.org/N19-1423' },
  liu2019: { cite: 'Liu et al., 2019', entry: 'Liu, Y., Ott, M., Goyal, N., Du, J., Joshi, M., Chen, D., Levy, O., Lewis, M., Zettlemoyer, L., Stoyanov, V. (2019). RoBERTa: A Robustly Optimized BERT Pretraining Approach. arXiv:1907.11692. https://arxiv.org/abs/1907.11692' },
  tenney2019: { cite: 'Tenney et al., 2019', entry: 'Tenney, I., Das, D., Pavlick, E. (2019). BERT Rediscovers the Classical NLP Pipeline. *ACL 2019*, 4593–4601. https://aclanthology.org/P19-1452' },
  jawahar2019: { cite: 'Jawahar et al., 2019', entry: 'Jawahar, G., Sagot, B., Seddah, D. (2019). What Does BERT Learn about the Structure of Language? *ACL 2019*, 3651–3657. https://aclanthology.org/P19-1356' },
  rogers2020: { cite: 'Rogers et al., 2020', entry: 'Rogers, A., Kovaleva, O., Rumshisky, A. (2020). A Primer in BERTology: What We Know About How BERT Works. *Transactions of the ACL* 8, 842–866. https://aclanthology.org/2020.tacl-1.54' },
  ethayarajh2019: { cite: 'Ethayarajh, 2019', entry: 'Ethayarajh, K. (2019). How Contextual are Contextualized Word Representations? Comparing the Geometry of BERT, ELMo, and GPT-2 Embeddings. *EMNLP-IJCNLP 2019*, 55–65. https://aclanthology.org/D19-1006' },
  hewitt2019: { cite: 'Hewitt & Liang, 2019', entry: 'Hewitt, J., Liang, P. (2019). Designing and Interpreting Probes with Control Tasks. *EMNLP-IJCNLP 2019*, 2733–2743. https://aclanthology.org/D19-1275' },
  voita2020: { cite: 'Voita & Titov, 2020', entry: 'Voita, E., Titov, I. (2020). Information-Theoretic Probing with Minimum Description Length. *EMNLP 2020*, 183–196. https://aclanthology.org/2020.emnlp-main.14' },
  conneau2018: { cite: 'Conneau et al., 2018', entry: 'Conneau, A., Kruszewski, G., Lample, G., Barrault, L., Baroni, M. (2018). What you can cram into a single $&!#* vector: Probing sentence embeddings for linguistic properties. *ACL 2018*, 2126–2136. https://aclanthology.org/P18-1198' },
  belinkov2022: { cite: 'Belinkov, 2022', entry: 'Belinkov, Y. (2022). Probing Classifiers: Promises, Shortcomings, and Advances. *Computational Linguistics* 48(1), 207–219. https://aclanthology.org/2022.cl-1.7' },
  efron1993: { cite: 'Efron & Tibshirani, 1993', entry: 'Efron, B., Tibshirani, R. J. (1993). *An Introduction to the Bootstrap*. Chapman & Hall/CRC.' },
  bergkirkpatrick2012: { cite: 'Berg-Kirkpatrick et al., 2012', entry: 'Berg-Kirkpatrick, T., Burkett, D., Klein, D. (2012). An Empirical Investigation of Statistical Significance in NLP. *EMNLP-CoNLL 2012*, 995–1005. https://aclanthology.org/D12-1091' },
  wolf2020: { cite: 'Wolf et al., 2020', entry: 'Wolf, T., Debut, L., Sanh, V., et al. (2020). Transformers: State-of-the-Art Natural Language Processing. *EMNLP 2020: System Demonstrations*, 38–45. https://aclanthology.org/2020.emnlp-demos.6' },
  silveira2014: { cite: 'Silveira et al., 2014', entry: 'Silveira, N., Dozat, T., de Marneffe, M.-C., Bowman, S., Connor, M., Bauer, J., Manning, C. D. (2014). A Gold Standard Dependency Corpus for English. *LREC 2014*, 2897–2904. Data: UD English EWT, https://github.com/UniversalDependencies/UD_English-EWT (CC BY-SA 4.0)' },
  mcdonald2013: { cite: 'McDonald et al., 2013', entry: 'McDonald, R., Nivre, J., Quirmbach-Brundage, Y., Goldberg, Y., Das, D., Ganchev, K., Hall, K., Petrov, S., Zhang, H., Täckström, O., Bedini, C., Bertomeu Castelló, N., Lee, J. (2013). Universal Dependency Annotation for Multilingual Parsing. *ACL 2013*, 92–97. Data: UD Russian GSD, https://github.com/UniversalDependencies/UD_Russian-GSD (CC BY-SA 4.0)' },
  demarneffe2021: { cite: 'de Marneffe et al., 2021', entry: 'de Marneffe, M.-C., Manning, C. D., Nivre, J., Zeman, D. (2021). Universal Dependencies. *Computational Linguistics* 47(2), 255–308. https://aclanthology.org/2021.cl-2.11' },
  socher2013: { cite: 'Socher et al., 2013', entry: 'Socher, R., Perelygin, A., Wu, J., Chuang, J., Manning, C. D., Ng, A., Potts, C. (2013). Recursive Deep Models for Semantic Compositionality Over a Sentiment Treebank. *EMNLP 2013*, 1631–1642. https://aclanthology.org/D13-1170' },
  wang2019: { cite: 'Wang et al., 2019', entry: 'Wang, A., Singh, A., Michael, J., Hill, F., Levy, O., Bowman, S. R. (2019). GLUE: A Multi-Task Benchmark and Analysis Platform for Natural Language Understanding. *ICLR 2019*. https://openreview.net/forum?id=rJ4km2R5t7 (SST-2 as distributed in GLUE)' },
  sanh2019: { cite: 'Sanh et al., 2019', entry: 'Sanh, V., Debut, L., Chaumond, J., Wolf, T. (2019). DistilBERT, a distilled version of BERT: smaller, faster, cheaper and lighter. arXiv:1910.01108. https://arxiv.org/abs/1910.01108' },
  conneau2020: { cite: 'Conneau et al., 2020', entry: 'Conneau, A., Khandelwal, K., Goyal, N., Chaudhary, V., Wenzek, G., Guzmán, F., Grave, E., Ott, M., Zettlemoyer, L., Stoyanov, V. (2020). Unsupervised Cross-lingual Representation Learning at Scale. *ACL 2020*, 8440–8451. https://aclanthology.org/2020.acl-main.747' },
} as const satisfies Record<string, Reference>;

export type ReferenceKey = keyof typeof REFERENCES;

/** `(Vaswani et al., 2017; Devlin et al., 2019)`: an in-text citation of the given works. */
export function cite(...keys: ReferenceKey[]): string {
  return `(${keys.map((k) => REFERENCES[k].cite).join('; ')})`;
}

/** The dataset a task is built from (data/README.md), with its citations (UD tasks also cite Universal Dependencies). */
export function taskDataset(task: string): { name: string; refs: ReferenceKey[] } {
  if (task === 'sst2' || task.startsWith('sst2.')) return { name: 'SST-2 (GLUE)', refs: ['socher2013', 'wang2019'] };
  return task.startsWith('ru.') ? { name: 'UD Russian GSD', refs: ['mcdonald2013', 'demarneffe2021'] } : { name: 'UD English EWT', refs: ['silveira2014', 'demarneffe2021'] };
}

/** The paper behind a model family, guessed from its name (a local folder or an unknown family cites none). */
export function modelSource(model: string): ReferenceKey | undefined {
  const name = model.toLowerCase().split('/').pop() ?? '';
  if (/xlm-?r/.test(name)) return 'conneau2020';
  if (/distil/.test(name)) return 'sanh2019';
  if (/roberta/.test(name) && !/tiny/.test(name)) return 'liu2019';
  if (/bert/.test(name) && !/tiny/.test(name)) return 'devlin2019';
  return undefined;
}

/** The entries cited somewhere in `text`, in order of first citation. */
export function citedIn(text: string): Reference[] {
  const refs: Reference[] = Object.values(REFERENCES);
  return refs.filter((r) => text.includes(r.cite)).sort((a, b) => text.indexOf(a.cite) - text.indexOf(b.cite));
}
